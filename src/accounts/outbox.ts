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

/** D1 binds at most 100 parameters a statement: journal entries go 8 to a multi-row insert, operations 10. */
const ENTRIES_PER_INSERT = 8;
const OPERATIONS_PER_UPSERT = 10;

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
  for (let i = 0; i < operations.length; i += OPERATIONS_PER_UPSERT) {
    const chunk = operations.slice(i, i + OPERATIONS_PER_UPSERT);
    statements.push(
      db
        .prepare(
          `INSERT INTO operations (id, tenant_id, member_id, store_id, register_id, type, status, version, body, created_at)
           VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
           ON CONFLICT(id) DO UPDATE SET status = excluded.status, version = excluded.version, body = excluded.body
           WHERE excluded.version > operations.version AND operations.tenant_id = excluded.tenant_id`,
        )
        .bind(
          ...chunk.flatMap(({ operation: op, version }) => [
            op.id, account.tenant_id, account.member_id, op.store_id, op.register_id, op.type, op.status, version, JSON.stringify(op), op.created_at,
          ]),
        ),
    );
  }
  for (let i = 0; i < entries.length; i += ENTRIES_PER_INSERT) {
    const chunk = entries.slice(i, i + ENTRIES_PER_INSERT);
    statements.push(
      db
        .prepare(
          `INSERT INTO history_entries (id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at)
           VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")} ON CONFLICT DO NOTHING`,
        )
        .bind(
          ...chunk.flatMap((e) => [e.id, account.tenant_id, account.member_id, e.seq, e.operation_id, e.kind, e.method, e.amount, e.balance_after, e.store_id, e.register_id, e.created_at]),
        ),
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
