-- A leaner projection (issue 29), two steps.
--
-- 1. An operation's row keeps its base once (`body`: the operation as made, less the row's columns) and the moment
--    of its latest version (`moment`: what differs from the base). Its `operation.*` events keep only their moments
--    beside it; its operation.created event keeps no row (`created_moment`: that event's moment, set when it came
--    with the operation). Rows of before keep the whole operation in `body` and no moment, and are read as before.
--    src/history/operation-moments.ts says how.
ALTER TABLE operations ADD COLUMN moment TEXT;
ALTER TABLE operations ADD COLUMN created_moment TEXT;
-- When this ran: no operation made before it lists its operation.created from its row (its event is logged whole),
-- so that listing reads only the rows made since.
CREATE TABLE operation_moments_since (since TEXT NOT NULL);
INSERT INTO operation_moments_since (since) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- 2. History keyed by (tenant, time, member, seq): the day's report, the dashboard and the day's archive read a
--    tenant's rows by time, and a member's history and an operation's entries are read from the member's account,
--    which holds its whole journal. One row a settlement and no index entry beside it.
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
  more_entries TEXT,
  PRIMARY KEY (tenant_id, created_at, member_id, seq)
) WITHOUT ROWID;
INSERT INTO history_entries (id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at, more_entries)
  SELECT id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at, more_entries FROM history_entries_before;
DROP TABLE history_entries_before;
