/**
 * Limit counters in a Durable Object's SQLite (the AccountDO's card counters, the StoreDO's register and store
 * counters), with what each operation added, so cancel/expiry gives it back and a refund gives back its share.
 * Runs inside the owner's `transactionSync`.
 */
import type { CounterBasis, CounterChange, CounterKey, Counter } from "./evaluate";
import type { StoredCounter } from "./counters-view";

export const COUNTER_SCHEMA = `
CREATE TABLE IF NOT EXISTS limit_counters (
  limit_id TEXT NOT NULL, subject TEXT NOT NULL, window TEXT NOT NULL, value INTEGER NOT NULL,
  soft_alerted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (limit_id, subject, window)
);
CREATE TABLE IF NOT EXISTS limit_reservations (
  operation_id TEXT NOT NULL, limit_id TEXT NOT NULL, subject TEXT NOT NULL, window TEXT NOT NULL,
  amount INTEGER NOT NULL, status TEXT NOT NULL, basis TEXT, PRIMARY KEY (operation_id, limit_id, subject, window)
);
`;

/** Objects whose reservations predate `basis` get the column (their rows keep NULL: given back in proportion). */
export function upgradeCounterSchema(sql: SqlStorage): void {
  try {
    sql.exec("SELECT basis FROM limit_reservations LIMIT 0");
  } catch {
    sql.exec("ALTER TABLE limit_reservations ADD COLUMN basis TEXT");
  }
}

export class CounterStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Every counter of a limit here, with what of each is still reserved (held, not yet confirmed). */
  countersOf(limitId: string): StoredCounter[] {
    return this.sql
      .exec<{ subject: string; window: string; value: number; pending: number }>(
        `SELECT c.subject, c.window, c.value,
           (SELECT COALESCE(SUM(r.amount), 0) FROM limit_reservations r
            WHERE r.limit_id = c.limit_id AND r.subject = c.subject AND r.window = c.window AND r.status = 'reserved') AS pending
         FROM limit_counters c WHERE c.limit_id = ?`,
        limitId,
      )
      .toArray();
  }

  counter(key: CounterKey): Counter {
    const row = this.sql
      .exec<{ value: number; soft_alerted: number }>(
        "SELECT value, soft_alerted FROM limit_counters WHERE limit_id = ? AND subject = ? AND window = ?",
        key.limit_id,
        key.subject,
        key.window,
      )
      .toArray()[0];
    return row ? { value: row.value, soft_alerted: row.soft_alerted === 1 } : { value: 0, soft_alerted: false };
  }

  /** A counter as if `operationId`'s own reservation were not there (re-checking a changed operation). */
  counterWithout(operationId: string, key: CounterKey): Counter {
    const mine = this.sql
      .exec<{ amount: number }>(
        "SELECT amount FROM limit_reservations WHERE operation_id = ? AND limit_id = ? AND subject = ? AND window = ? AND status = 'reserved'",
        operationId,
        key.limit_id,
        key.subject,
        key.window,
      )
      .toArray()[0];
    const counter = this.counter(key);
    return { ...counter, value: counter.value - (mine?.amount ?? 0) };
  }

  private add(key: CounterKey, amount: number): void {
    // A counter never goes below zero (a give-back larger than what is left, after a window's counts were cut).
    this.sql.exec(
      `INSERT INTO limit_counters (limit_id, subject, window, value) VALUES (?1, ?2, ?3, MAX(0, ?4))
       ON CONFLICT(limit_id, subject, window) DO UPDATE SET value = MAX(0, value + ?4)`,
      key.limit_id,
      key.subject,
      key.window,
      amount,
    );
  }

  /** Counts an operation at hold time. */
  reserve(operationId: string, changes: CounterChange[], softMarks: CounterKey[]): void {
    for (const change of changes) {
      this.add(change, change.amount);
      this.sql.exec(
        `INSERT INTO limit_reservations (operation_id, limit_id, subject, window, amount, status, basis) VALUES (?, ?, ?, ?, ?, 'reserved', ?)
         ON CONFLICT(operation_id, limit_id, subject, window) DO UPDATE SET amount = amount + excluded.amount`,
        operationId,
        change.limit_id,
        change.subject,
        change.window,
        change.amount,
        change.basis ?? null,
      );
    }
    for (const key of softMarks) {
      this.sql.exec(
        "UPDATE limit_counters SET soft_alerted = 1 WHERE limit_id = ? AND subject = ? AND window = ?",
        key.limit_id,
        key.subject,
        key.window,
      );
    }
  }

  /** Cancel or expiry: the counters get back what the operation took. */
  release(operationId: string): void {
    for (const row of this.reserved(operationId, "reserved")) this.add(row, -row.amount);
    this.sql.exec("DELETE FROM limit_reservations WHERE operation_id = ? AND status = 'reserved'", operationId);
  }

  /** Confirm: the counts are final, and kept so a refund can give back its share. */
  commit(operationId: string): void {
    this.sql.exec("UPDATE limit_reservations SET status = 'committed' WHERE operation_id = ? AND status = 'reserved'", operationId);
  }

  /** What a confirmed operation counted, for the share a refund of it gives back (`refundGiveBack`). */
  committedOf(operationId: string): CounterChange[] {
    return this.reserved(operationId, "committed");
  }

  /** A confirmed refund's share given back, as `refundGiveBack` reckoned it. */
  giveBack(changes: CounterChange[]): void {
    for (const change of changes) this.add(change, -change.amount);
  }

  hasReservation(operationId: string): boolean {
    return this.sql.exec("SELECT 1 FROM limit_reservations WHERE operation_id = ? LIMIT 1", operationId).toArray().length > 0;
  }

  private reserved(operationId: string, status: "reserved" | "committed"): CounterChange[] {
    return this.sql
      .exec<{ limit_id: string; subject: string; window: string; amount: number; basis: CounterBasis | null }>(
        "SELECT limit_id, subject, window, amount, basis FROM limit_reservations WHERE operation_id = ? AND status = ?",
        operationId,
        status,
      )
      .toArray()
      .map((row) => ({ ...row }));
  }
}
