/**
 * Ships an AccountDO's outbox: everything for D1 in one batch, then the StoreDO messages. Every statement is
 * idempotent — journal entries are inserted by entry id (a retry cannot duplicate), operations and cards are
 * replaced only by a higher version, alerts and deliveries by their ids — and so is every StoreDO message.
 */
import type { Env } from "../env";
import type { Alert } from "../limits/limit";
import { eventStatements, kickIfQueued, type TillsafeEvent } from "../webhooks/events";
import type { StoreMessage } from "./account-storage";
import type { Card, JournalEntry, OperationRecord } from "./operation";

/** One message: a journal entry, an operation or card to project, an alert, an event, a StoreDO message. */
export type OutboxItem = {
  kind: "entry" | "operation" | "card" | "alert" | "store" | "event";
  ref: string;
  /** The message itself (rows written before batching hold it as JSON text). */
  payload: unknown;
};

/** An outbox row: one message, or (`batch`) all the messages of one transaction as a JSON array. */
export type OutboxRow = {
  id: number;
  kind: OutboxItem["kind"] | "batch";
  ref: string;
  payload: string | null;
};

function items(rows: OutboxRow[]): OutboxItem[] {
  return rows.flatMap((row) => (row.kind === "batch" ? (JSON.parse(row.payload!) as OutboxItem[]) : [row as OutboxItem]));
}

const payloadOf = <T>(item: OutboxItem): T => (typeof item.payload === "string" ? JSON.parse(item.payload) : item.payload) as T;

export interface OutboxSources {
  operation(id: string): OperationRecord | null;
  card(number: string): (Card & { version: number }) | null;
}

export async function shipOutbox(env: Env, account: { tenant_id: string; member_id: string }, rows: OutboxRow[], sources: OutboxSources): Promise<void> {
  const db = env.DB;
  const entries: JournalEntry[] = [];
  const alerts: Alert[] = [];
  const events: TillsafeEvent[] = [];
  const storeMessages: (StoreMessage & { store_id: string })[] = [];
  const statements: D1PreparedStatement[] = [];
  const operations: OperationRecord[] = [];
  const shipped = new Set<string>();
  for (const row of items(rows)) {
    // An operation or card changed several times since the last shipment is shipped once, as it is now.
    const key = `${row.kind}:${row.ref}`;
    if ((row.kind === "operation" || row.kind === "card") && shipped.has(key)) continue;
    shipped.add(key);
    if (row.kind === "entry") entries.push(payloadOf<JournalEntry>(row));
    else if (row.kind === "alert") alerts.push(payloadOf<Alert>(row));
    else if (row.kind === "event") events.push(payloadOf<TillsafeEvent>(row));
    else if (row.kind === "store") storeMessages.push(payloadOf<StoreMessage & { store_id: string }>(row));
    else if (row.kind === "operation") {
      const record = sources.operation(row.ref);
      if (record) operations.push(record);
    } else {
      const card = sources.card(row.ref);
      if (!card) continue;
      statements.push(
        db
          .prepare(
            `UPDATE cards SET status = ?, block_reason = ?, replaced_by = ?, version = ?
             WHERE tenant_id = ? AND member_id = ? AND number = ? AND version < ?`,
          )
          .bind(card.status, card.block_reason, card.replaced_by, card.version, account.tenant_id, account.member_id, card.number, card.version),
      );
    }
  }
  // Operations and journal entries travel as one JSON array a statement (a bound value may be up to 2 MB; a batch
  // holds at most OUTBOX_BATCH transactions): one statement each, however many rows.
  if (operations.length > 0) {
    statements.push(
      db
        .prepare(
          `INSERT INTO operations (id, tenant_id, member_id, store_id, register_id, type, status, version, body, created_at)
           SELECT o.value ->> '$.operation.id', ?2, ?3, o.value ->> '$.operation.store_id', o.value ->> '$.operation.register_id',
             o.value ->> '$.operation.type', o.value ->> '$.operation.status', o.value ->> '$.version', o.value -> '$.operation',
             o.value ->> '$.operation.created_at'
           FROM json_each(?1) o WHERE true
           ON CONFLICT(id) DO UPDATE SET status = excluded.status, version = excluded.version, body = excluded.body
           WHERE excluded.version > operations.version AND operations.tenant_id = excluded.tenant_id`,
        )
        .bind(JSON.stringify(operations.map(({ operation, version }) => ({ version, operation }))), account.tenant_id, account.member_id),
    );
  }
  if (entries.length > 0) {
    statements.push(
      db
        .prepare(
          `INSERT INTO history_entries (id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at)
           SELECT e.value ->> '$.id', ?2, ?3, e.value ->> '$.seq', e.value ->> '$.operation_id', e.value ->> '$.kind', e.value ->> '$.method',
             e.value ->> '$.amount', e.value ->> '$.balance_after', e.value ->> '$.store_id', e.value ->> '$.register_id', e.value ->> '$.created_at'
           FROM json_each(?1) e WHERE true
           ON CONFLICT DO NOTHING`,
        )
        .bind(JSON.stringify(entries), account.tenant_id, account.member_id),
    );
  }
  const queued = eventStatements(db, account.tenant_id, alerts, events);
  statements.push(...queued.statements);
  if (statements.length > 0) {
    const results = await db.batch(statements);
    await kickIfQueued(env, account.tenant_id, statements, results, queued.deliveries);
  }
  // Commit, release and refund messages for StoreDOs: each is idempotent there, so a retry is harmless.
  for (const message of storeMessages) {
    const store = { tenant_id: account.tenant_id, store_id: message.store_id };
    const stub = env.STORES.get(env.STORES.idFromName(`${account.tenant_id}:${message.store_id}`));
    if (message.action === "commit") await stub.commit(store, message.operation_id);
    else if (message.action === "release") await stub.release(store, message.operation_id);
    else if (message.action === "refund") await stub.refund(store, message);
  }
}
