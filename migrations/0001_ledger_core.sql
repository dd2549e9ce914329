-- Tillsafe D1: records and the projection of what the Durable Objects decided.
-- Every table carries tenant_id; every query filters on the tenant taken from the credential.

CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  timezone TEXT NOT NULL,
  approval_required_for TEXT NOT NULL DEFAULT '[]',
  points_per_currency_unit INTEGER NOT NULL DEFAULT 1,
  point_value INTEGER NOT NULL DEFAULT 1,
  hold_ttl_seconds INTEGER NOT NULL DEFAULT 900,
  created_at TEXT NOT NULL
);

-- Secret keys (sk_) and terminal keys (tk_): only a SHA-256 hash of the secret part is stored.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  kind TEXT NOT NULL CHECK (kind IN ('secret', 'terminal')),
  secret_hash TEXT NOT NULL,
  store_id TEXT,
  register_id TEXT,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

CREATE TABLE stores (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  sms_confirm_points_deduction INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX stores_tenant ON stores(tenant_id, created_at);

CREATE TABLE registers (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  store_id TEXT NOT NULL REFERENCES stores(id),
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX registers_store ON registers(tenant_id, store_id);

CREATE TABLE members (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  external_ref TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX members_tenant ON members(tenant_id, created_at);
CREATE INDEX members_phone ON members(tenant_id, phone);

-- A card belongs to one member for good; its status here is a projection of the AccountDO's copy.
CREATE TABLE cards (
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  number TEXT NOT NULL,
  member_id TEXT NOT NULL REFERENCES members(id),
  status TEXT NOT NULL DEFAULT 'active',
  block_reason TEXT,
  replaced_by TEXT,
  created_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, number)
);
CREATE INDEX cards_member ON cards(tenant_id, member_id);

-- Journal entries shipped from each AccountDO's outbox, keyed by entry id (a retry cannot duplicate).
CREATE TABLE history_entries (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  operation_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  method TEXT NOT NULL,
  amount INTEGER NOT NULL,
  balance_after INTEGER NOT NULL,
  store_id TEXT,
  register_id TEXT,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX history_member_seq ON history_entries(tenant_id, member_id, seq);

-- Operations as last shipped by their AccountDO; a row is only replaced by a higher version.
CREATE TABLE operations (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  store_id TEXT,
  register_id TEXT,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX operations_tenant ON operations(tenant_id, created_at, id);
CREATE INDEX operations_member ON operations(tenant_id, member_id, created_at);

-- Idempotent back-office POSTs: the first response, encrypted, kept for replay.
CREATE TABLE idempotency_records (
  tenant_id TEXT NOT NULL,
  credential_id TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'done')),
  status INTEGER,
  response TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, credential_id, key)
);
