-- The event log: every event of a tenant as it was sent to webhooks, kept 30 days; what webhooks, the console and
-- redelivery all read. Each delivery attempt is kept, and an endpoint's secret can be rotated (the old one stays
-- valid for a day, both signatures sent meanwhile).
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,
  created_at TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX events_tenant ON events(tenant_id, created_at, id);

CREATE TABLE webhook_attempts (
  event_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  at TEXT NOT NULL,
  next_attempt_at TEXT,
  PRIMARY KEY (event_id, endpoint_id, attempt, at)
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts(tenant_id, endpoint_id, at);

ALTER TABLE webhook_endpoints ADD COLUMN previous_sealed_secret TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN previous_valid_until INTEGER;

-- Events already queued for delivery are in the log too.
INSERT OR IGNORE INTO events (id, tenant_id, type, created_at, payload)
  SELECT event_id, tenant_id, type, created_at, payload FROM webhook_deliveries;
