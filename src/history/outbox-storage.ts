/**
 * An object's outbox (an account's, a store's, the tenant's): the messages a transaction produced for D1 and the
 * StoreDOs, gathered while it decides and written as one row in the same transaction; the alarm ships them in
 * batches (`shipAll`) and drops what D1 has taken.
 */
import type { JournalEntry } from "../accounts/operation";
import { entriesIn, type OutboxItem, type OutboxRow } from "./outbox";

/** The outbox table, the same in every object that has one. */
export const OUTBOX_SCHEMA = `CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, ref TEXT NOT NULL, payload TEXT
);`;

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

export class OutboxStorage {
  /** This transaction's messages, written by flush. */
  private pending: OutboxItem[] = [];

  constructor(private readonly sql: SqlStorage) {}

  /** Forgets what a rolled-back transaction gathered. */
  discard(): void {
    this.pending = [];
  }

  /** Notes a message for D1 or a StoreDO; a transaction's messages are written as one outbox row when it ends. */
  enqueue(kind: OutboxItem["kind"], ref: string, payload: unknown = null): void {
    this.pending.push({ kind, ref, payload });
  }

  /** An event for the tenant's event log and webhooks, shipped with the transaction's outbox (by its id: once). */
  event(event: OutboxEvent): void {
    this.enqueue("event", event.id, { id: event.id, type: event.type, created_at: event.created_at, data: event.data });
  }

  /** Writes the transaction's messages as one outbox row (inside the same transaction as the change). */
  flush(): void {
    if (this.pending.length === 0) return;
    this.sql.exec("INSERT INTO outbox (kind, ref, payload) VALUES ('batch', '', ?)", JSON.stringify(this.pending));
    this.pending = [];
  }

  /** Every journal entry still waiting in the outbox. */
  unshippedEntries(): JournalEntry[] {
    return entriesIn(this.sql.exec<OutboxRow>("SELECT id, kind, ref, payload FROM outbox ORDER BY id").toArray());
  }

  batch(limit: number): OutboxRow[] {
    return this.sql.exec<OutboxRow>("SELECT id, kind, ref, payload FROM outbox ORDER BY id LIMIT ?", limit).toArray();
  }

  hasRows(): boolean {
    return this.sql.exec("SELECT 1 FROM outbox LIMIT 1").toArray().length > 0;
  }

  size(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }

  dropShipped(lastId: number): void {
    this.sql.exec("DELETE FROM outbox WHERE id <= ?", lastId);
  }
}
