/** SQLite tables inside each AccountDO (one member account). See docs/storage.md. */
import { OUTBOX_SCHEMA } from "../history/outbox-storage";
import { COUNTER_SCHEMA } from "../limits/counter-store";

/** Bumped whenever ACCOUNT_SCHEMA changes, so an object runs its DDL once per version, not on every start. */
export const ACCOUNT_SCHEMA_VERSION = 5;

export const ACCOUNT_SCHEMA = `${COUNTER_SCHEMA}
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS balances (method TEXT PRIMARY KEY, balance INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cards (
  number TEXT PRIMARY KEY, status TEXT NOT NULL, block_reason TEXT, replaced_by TEXT, version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS operations (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, card TEXT, expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL, record TEXT NOT NULL
);
-- Version 3: one partial index, of pending operations only (by expiry; a card's pending ones are among the few),
-- in place of two indexes over every operation that each write had to keep up.
DROP INDEX IF EXISTS operations_pending;
DROP INDEX IF EXISTS operations_card;
CREATE INDEX IF NOT EXISTS operations_pending_expiry ON operations(expires_at) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS journal (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, operation_id TEXT NOT NULL, kind TEXT NOT NULL,
  method TEXT NOT NULL, amount INTEGER NOT NULL, balance_after INTEGER NOT NULL,
  store_id TEXT, register_id TEXT, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
  operation_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS approval_requests (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, operation_id TEXT NOT NULL, status TEXT NOT NULL,
  created_at INTEGER NOT NULL, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approval_requests_operation ON approval_requests(operation_id, status);
CREATE TABLE IF NOT EXISTS sms_codes (
  purpose TEXT PRIMARY KEY, hash TEXT NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  attempts_left INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sms_sends (purpose TEXT NOT NULL, sent_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sms_sends_time ON sms_sends(sent_at);
-- Version 4: limit_reservations.basis (added to older objects by upgradeCounterSchema), and the member's ended
-- sessions (a page's socket under one of them is refused).
CREATE TABLE IF NOT EXISTS ended_sessions (id TEXT PRIMARY KEY, ended_at INTEGER NOT NULL) WITHOUT ROWID;
-- Version 2: what a pending operation holds lives only in its record.
DROP TABLE IF EXISTS holds;
-- Version 5: test mode's answers a test phone gives by itself, when they are due.
CREATE TABLE IF NOT EXISTS test_answers (request_id TEXT PRIMARY KEY, answer TEXT NOT NULL, due_at INTEGER NOT NULL) WITHOUT ROWID;
${OUTBOX_SCHEMA}
`;

