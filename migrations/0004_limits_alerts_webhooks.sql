-- Limits (what a counter may reach), the alerts they raise, webhook endpoints and deliveries, and the audit log.

CREATE TABLE limits (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('card', 'register', 'store')),
  scope_id TEXT,
  per TEXT CHECK (per IN ('register', 'store')),
  metric TEXT NOT NULL,
  method TEXT,
  period TEXT NOT NULL CHECK (period IN ('operation', 'day', 'week', 'month', 'lifetime')),
  hard INTEGER,
  soft_lower INTEGER,
  soft_upper INTEGER,
  created_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX limits_tenant ON limits(tenant_id, deleted_at, created_at);

-- Alerts are written by the Durable Object that decided them (through its outbox), keyed by alert id.
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,
  limit_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  scope_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  bound INTEGER NOT NULL,
  value INTEGER NOT NULL,
  operation_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX alerts_tenant ON alerts(tenant_id, created_at, id);

CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  sealed_secret TEXT NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints(tenant_id, deleted_at);

-- One row per (event, endpoint): delivered at least once, retried with back-off until a 2xx.
CREATE TABLE webhook_deliveries (
  event_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_status INTEGER,
  delivered_at TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(tenant_id, delivered_at, next_attempt_at);

CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  before TEXT,
  after TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log(tenant_id, created_at, id);
