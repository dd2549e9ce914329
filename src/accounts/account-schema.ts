/** SQLite tables inside each AccountDO (one member account). See docs/storage.md. */
import { OUTBOX_SCHEMA, upgradeOutbox } from "../history/outbox-storage";
import { COUNTER_SCHEMA, upgradeCounterSchema } from "../limits/counter-store";

/** Bumped whenever ACCOUNT_SCHEMA changes, so an object runs its DDL once per version, not on every start. */
export const ACCOUNT_SCHEMA_VERSION = 8;

export const ACCOUNT_SCHEMA = `${COUNTER_SCHEMA}
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cards (
  number TEXT PRIMARY KEY, status TEXT NOT NULL, block_reason TEXT, replaced_by TEXT, version INTEGER NOT NULL
);
-- Version 6 (upgradeAccountSchema): keyed by id alone (WITHOUT ROWID); a create's first answer is kept here with its
-- request's fingerprint, for a repeat of its Idempotency-Key, as long as the operation (NULL: made before); and
-- outbox holds a create's own messages (the operation, operation.created) until they ship, with the operation's
-- next change or after a short wait (NULL: shipped, or gone with an outbox row).
-- Version 8: confirm_answer, the first answers to confirms sent with an Idempotency-Key (JSON by key: the request's
-- fingerprint and the answer), for a repeat of that key, as long as the operation.
CREATE TABLE IF NOT EXISTS operations (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, card TEXT, expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL, record TEXT NOT NULL, fingerprint TEXT, answer TEXT, outbox TEXT, confirm_answer TEXT
) WITHOUT ROWID;
-- Version 3: one partial index, of pending operations only (by expiry; a card's pending ones are among the few),
-- in place of two indexes over every operation that each write had to keep up.
DROP INDEX IF EXISTS operations_pending;
DROP INDEX IF EXISTS operations_card;
CREATE INDEX IF NOT EXISTS operations_pending_expiry ON operations(expires_at) WHERE status = 'pending';
-- Version 6: keyed by seq alone (the entry id was UNIQUE too, an index row per entry nothing read by), and the last
-- entry of each settlement carries every balance after it (JSON): the balances are the journal's last row, where a
-- balances table wrote one more row per method moved.
-- Version 7: one row per settlement: its first entry in the columns, the entries after it (by seq) in more_entries
-- (JSON, NULL: none), so a purchase that earns points writes one row, not two.
CREATE TABLE IF NOT EXISTS journal (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL, operation_id TEXT NOT NULL, kind TEXT NOT NULL,
  method TEXT NOT NULL, amount INTEGER NOT NULL, balance_after INTEGER NOT NULL,
  store_id TEXT, register_id TEXT, created_at TEXT NOT NULL, balances TEXT, more_entries TEXT
);
-- A create refused: its first answer, kept 3 days (a create that made its operation keeps it in the operation's row).
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


/**
 * What `CREATE ... IF NOT EXISTS` cannot do to an older object's tables, in order of the versions; each step sees
 * whether it is needed, so running it again changes nothing.
 * - v4: limit_reservations.basis (upgradeCounterSchema);
 * - v6: the outbox without AUTOINCREMENT; the journal without its UNIQUE entry id, its last entry carrying the
 *   balances (the balances table goes); operations keyed by id alone, each with the first answer and fingerprint of
 *   its create moved in from `idempotency` (which keeps refusals only);
 * - v7: journal.more_entries (the rows of before hold one entry each, as a row of version 7 may);
 * - v8: operations.confirm_answer (an operation confirmed before has none: a repeat answers it as it is now).
 */
export function upgradeAccountSchema(sql: SqlStorage): void {
  upgradeCounterSchema(sql);
  upgradeOutbox(sql);
  const made = (table: string) => sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", table).one().sql;
  if (/\bUNIQUE\b/i.test(made("journal"))) {
    sql.exec(`ALTER TABLE journal RENAME TO journal_before;
      CREATE TABLE journal (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL, operation_id TEXT NOT NULL, kind TEXT NOT NULL,
        method TEXT NOT NULL, amount INTEGER NOT NULL, balance_after INTEGER NOT NULL,
        store_id TEXT, register_id TEXT, created_at TEXT NOT NULL, balances TEXT
      );
      INSERT INTO journal (seq, id, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at)
        SELECT seq, id, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at FROM journal_before;
      DROP TABLE journal_before;`);
  }
  if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'balances'").toArray().length > 0) {
    // The balances table's figures ride on the journal's last entry from now on.
    sql.exec(`UPDATE journal SET balances = (SELECT json_group_object(method, balance) FROM balances)
        WHERE seq = (SELECT MAX(seq) FROM journal);
      DROP TABLE balances;`);
  }
  if (!/\bmore_entries\b/.test(made("journal"))) sql.exec("ALTER TABLE journal ADD COLUMN more_entries TEXT");
  if (!/WITHOUT ROWID/i.test(made("operations"))) {
    sql.exec(`DROP INDEX IF EXISTS operations_pending_expiry;
      ALTER TABLE operations RENAME TO operations_before;
      CREATE TABLE operations (
        id TEXT PRIMARY KEY, status TEXT NOT NULL, card TEXT, expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL, record TEXT NOT NULL, fingerprint TEXT, answer TEXT, outbox TEXT
      ) WITHOUT ROWID;
      INSERT INTO operations (id, status, card, expires_at, created_at, record, fingerprint, answer)
        SELECT o.id, o.status, o.card, o.expires_at, o.created_at, o.record, i.fingerprint, i.body
        FROM operations_before o LEFT JOIN idempotency i ON i.operation_id = o.id AND i.status = 201;
      DROP TABLE operations_before;
      CREATE INDEX operations_pending_expiry ON operations(expires_at) WHERE status = 'pending';
      DELETE FROM idempotency WHERE status = 201;`);
  }
  if (!/\bconfirm_answer\b/.test(made("operations"))) sql.exec("ALTER TABLE operations ADD COLUMN confirm_answer TEXT");
}
