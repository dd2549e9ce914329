/**
 * An object's outbox (an account's, a store's, the tenant's): the messages a transaction produced for D1 and the
 * StoreDOs, gathered while it decides and written as one row in the same transaction; they ship in batches
 * (`shipAll`: an account's right after the transaction, a store's and the tenant's from their alarm) and what D1 has
 * taken is dropped.
 */
import type { OutboxItem, OutboxRow } from "./outbox";

/**
 * The outbox table, the same in every object that has one. Its ids only order the rows waiting (an INTEGER PRIMARY
 * KEY without AUTOINCREMENT: an id may come again once its row is gone, and no row writes `sqlite_sequence`).
 */
export const OUTBOX_SCHEMA = "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL, payload TEXT);";

/** An outbox made with AUTOINCREMENT (objects before issue 18) is made again without it, its rows kept in order. */
export function upgradeOutbox(sql: SqlStorage): void {
  const made = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").toArray()[0]?.sql ?? "";
  if (!/AUTOINCREMENT/i.test(made)) return;
  sql.exec(`ALTER TABLE outbox RENAME TO outbox_before; ${OUTBOX_SCHEMA}
    INSERT INTO outbox (id, kind, ref, payload) SELECT id, kind, ref, payload FROM outbox_before ORDER BY id;
    DROP TABLE outbox_before;`);
}

/**
 * An object that kept its alerts in the `alert_outbox` of old (a StoreDO, the TenantDO) moves them into its outbox
 * once, in its schema upgrade: they ship as they would have, by alert id.
 */
export function adoptAlertOutbox(sql: SqlStorage): void {
  if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_outbox'").toArray().length === 0) return;
  sql.exec("INSERT INTO outbox (kind, ref, payload) SELECT 'alert', id, payload FROM alert_outbox ORDER BY rowid");
  sql.exec("DROP TABLE alert_outbox");
}

/** An event as a rule makes it (`settlement.ts`, `approval.ts`, `card-status.ts`): what the event log keeps. */
export interface OutboxEvent {
  id: string;
  type: string;
  created_at: string;
  data: object;
}

/** An event as the outbox message that carries it. */
export const eventItem = (event: OutboxEvent): OutboxItem => ({
  kind: "event",
  ref: event.id,
  payload: { id: event.id, type: event.type, created_at: event.created_at, data: event.data },
});

/** How many shipped rows may stay behind the watermark before they are deleted one by one after all. */
const SHIPPED_KEPT_MAX = 200;

export class OutboxStorage {
  /** This transaction's messages, written by flush. */
  private pending: OutboxItem[] = [];
  /**
   * Rows up to this id were shipped but are still in the table (rows came behind them meanwhile): kept until the
   * outbox empties, when the table is made again at the price of two rows rather than one per row. Memory only: an
   * object restarted ships them once more, which adds nothing to D1 or the stores (but a delivery of their events to
   * a webhook endpoint added in between).
   */
  private shippedThrough = 0;
  private shippedKept = 0;

  constructor(private readonly sql: SqlStorage) {}

  /** Forgets what a rolled-back transaction gathered. */
  discard(): void {
    this.pending = [];
  }

  /** Whether this transaction has gathered no message yet. */
  nothingGathered(): boolean {
    return this.pending.length === 0;
  }

  /** Notes a message for D1 or a StoreDO; a transaction's messages are written as one outbox row when it ends. */
  enqueue(kind: OutboxItem["kind"], ref: string, payload: unknown = null): void {
    this.pending.push({ kind, ref, payload });
  }

  /** An event for the tenant's event log and webhooks, shipped with the transaction's outbox (by its id: once). */
  event(event: OutboxEvent): void {
    this.pending.push(eventItem(event));
  }

  /** Messages gathered elsewhere (a create's, kept in its operation's row until now), shipped with this transaction's. */
  adopt(items: OutboxItem[]): void {
    this.pending.push(...items);
  }

  /** Writes the transaction's messages as one outbox row (inside the same transaction as the change); true if it did. */
  flush(): boolean {
    if (this.pending.length === 0) return false;
    this.sql.exec("INSERT INTO outbox (kind, ref, payload) VALUES ('batch', '', ?)", JSON.stringify(this.pending));
    this.pending = [];
    return true;
  }

  batch(limit: number): OutboxRow[] {
    return this.sql.exec<OutboxRow>("SELECT id, kind, ref, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?", this.shippedThrough, limit).toArray();
  }

  hasRows(): boolean {
    return this.sql.exec("SELECT 1 FROM outbox WHERE id > ? LIMIT 1", this.shippedThrough).toArray().length > 0;
  }

  size(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE id > ?", this.shippedThrough).one().n;
  }

  /**
   * Drops the `count` rows shipped, up to `lastId`. While rows came behind them, they stay, marked shipped (up to
   * SHIPPED_KEPT_MAX). Once the outbox is empty, with more than two rows in it the table is made again: dropping a
   * table writes no row, and making it writes two, where deleting writes one per row.
   */
  dropShipped(lastId: number, count: number): void {
    const rest = this.sql.exec("SELECT 1 FROM outbox WHERE id > ? LIMIT 1", lastId).toArray().length;
    if (rest > 0 && this.shippedKept + count <= SHIPPED_KEPT_MAX) {
      this.shippedThrough = lastId;
      this.shippedKept += count;
      return;
    }
    // One exec: both statements commit together.
    if (rest === 0 && this.shippedKept + count > 2) this.sql.exec(`DROP TABLE outbox; ${OUTBOX_SCHEMA}`);
    else this.sql.exec("DELETE FROM outbox WHERE id <= ?", lastId);
    // An empty table numbers its rows from 1 again.
    this.shippedThrough = rest > 0 ? lastId : 0;
    this.shippedKept = 0;
  }
}
