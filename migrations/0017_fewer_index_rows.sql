-- Fewer rows written per purchase (issue 18): each table below was a rowid table with a TEXT primary key beside the
-- index its reads use, so every insert wrote the row, the primary key's index and the read index. Each becomes a
-- WITHOUT ROWID table keyed by what its reads and its idempotent inserts already use; nothing else changes.
--   history_entries  keyed (tenant, member, seq), the member's history order, which was UNIQUE already; the entry id
--                    stays a column (the projection inserts by seq: a retry still adds nothing).
--   operations       keyed (tenant, created_at, id), the back office's newest-first order; created_at never changes,
--                    so a newer version still replaces the row in place. By member: operations_member as before.
--   events           keyed (tenant, created_at, id), the event log's newest-first order.
DROP INDEX history_member_seq;
DROP INDEX history_entries_day;
ALTER TABLE history_entries RENAME TO history_entries_before;
CREATE TABLE history_entries (
  id TEXT NOT NULL,
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
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, member_id, seq)
) WITHOUT ROWID;
INSERT INTO history_entries (id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at)
  SELECT id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at FROM history_entries_before;
DROP TABLE history_entries_before;
CREATE INDEX history_entries_day ON history_entries(tenant_id, created_at);

DROP INDEX operations_tenant;
DROP INDEX operations_member;
ALTER TABLE operations RENAME TO operations_before;
CREATE TABLE operations (
  id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  store_id TEXT,
  register_id TEXT,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, created_at, id)
) WITHOUT ROWID;
INSERT INTO operations (id, tenant_id, member_id, store_id, register_id, type, status, version, body, created_at)
  SELECT id, tenant_id, member_id, store_id, register_id, type, status, version, body, created_at FROM operations_before;
DROP TABLE operations_before;
CREATE INDEX operations_member ON operations(tenant_id, member_id, created_at);

DROP INDEX events_tenant;
ALTER TABLE events RENAME TO events_before;
CREATE TABLE events (
  id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,
  created_at TEXT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (tenant_id, created_at, id)
) WITHOUT ROWID;
INSERT INTO events (id, tenant_id, type, created_at, payload) SELECT id, tenant_id, type, created_at, payload FROM events_before;
DROP TABLE events_before;
