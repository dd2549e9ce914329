/**
 * Ships an AccountDO's outbox to D1 in one batch. Every statement is idempotent: journal entries are inserted by
 * entry id (a retry cannot duplicate), operations and cards are replaced only by a higher version.
 */
import { and, eq, lt, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { database } from "../db/client";
import { cards, historyEntries, operations } from "../db/schema";
import type { Env } from "../env";
import type { Alert } from "../limits/limit";
import { shipEvents, type TillsafeEvent } from "../webhooks/events";
import type { StoreMessage } from "./account-storage";
import type { Card, JournalEntry, OperationRecord } from "./operation";

export type OutboxRow = {
  id: number;
  kind: "entry" | "operation" | "card" | "alert" | "store" | "event";
  ref: string;
  payload: string | null;
};

export interface OutboxSources {
  operation(id: string): OperationRecord | null;
  card(number: string): (Card & { version: number }) | null;
}

export async function shipOutbox(
  env: Env,
  account: { tenant_id: string; member_id: string },
  rows: OutboxRow[],
  sources: OutboxSources,
): Promise<void> {
  const db = database(env.DB);
  const alerts: Alert[] = [];
  const events: TillsafeEvent[] = [];
  const storeMessages: (StoreMessage & { store_id: string })[] = [];
  const statements: BatchItem<"sqlite">[] = [];
  const shipped = new Set<string>();
  for (const row of rows) {
    // An operation or card changed several times since the last shipment is shipped once, as it is now.
    const key = `${row.kind}:${row.ref}`;
    if (row.kind !== "entry" && shipped.has(key)) continue;
    shipped.add(key);
    if (row.kind === "alert") {
      alerts.push(JSON.parse(row.payload!) as Alert);
    } else if (row.kind === "event") {
      events.push(JSON.parse(row.payload!) as TillsafeEvent);
    } else if (row.kind === "store") {
      storeMessages.push(JSON.parse(row.payload!) as StoreMessage & { store_id: string });
    } else if (row.kind === "entry") {
      const entry = JSON.parse(row.payload!) as JournalEntry;
      statements.push(
        db
          .insert(historyEntries)
          .values({
            id: entry.id,
            tenantId: account.tenant_id,
            memberId: account.member_id,
            seq: entry.seq,
            operationId: entry.operation_id,
            kind: entry.kind,
            method: entry.method,
            amount: entry.amount,
            balanceAfter: entry.balance_after,
            storeId: entry.store_id,
            registerId: entry.register_id,
            createdAt: entry.created_at,
          })
          .onConflictDoNothing(),
      );
    } else if (row.kind === "operation") {
      const record = sources.operation(row.ref);
      if (!record) continue;
      const op = record.operation;
      statements.push(
        db
          .insert(operations)
          .values({
            id: op.id,
            tenantId: account.tenant_id,
            memberId: account.member_id,
            storeId: op.store_id,
            registerId: op.register_id,
            type: op.type,
            status: op.status,
            version: record.version,
            body: JSON.stringify(op),
            createdAt: op.created_at,
          })
          .onConflictDoUpdate({
            target: operations.id,
            set: { status: sql`excluded.status`, version: sql`excluded.version`, body: sql`excluded.body` },
            setWhere: sql`excluded.version > ${operations.version} AND ${operations.tenantId} = excluded.tenant_id`,
          }),
      );
    } else {
      const card = sources.card(row.ref);
      if (!card) continue;
      statements.push(
        db
          .update(cards)
          .set({ status: card.status, blockReason: card.block_reason, replacedBy: card.replaced_by, version: card.version })
          .where(
            and(
              eq(cards.tenantId, account.tenant_id),
              eq(cards.memberId, account.member_id),
              eq(cards.number, card.number),
              lt(cards.version, card.version),
            ),
          ),
      );
    }
  }
  if (statements.length > 0) await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  await shipEvents(env, account.tenant_id, alerts, events);
  // Commit, release and refund messages for StoreDOs: each is idempotent there, so a retry is harmless.
  for (const message of storeMessages) {
    const store = { tenant_id: account.tenant_id, store_id: message.store_id };
    const stub = env.STORES.get(env.STORES.idFromName(`${account.tenant_id}:${message.store_id}`));
    if (message.action === "commit") await stub.commit(store, message.operation_id);
    else if (message.action === "release") await stub.release(store, message.operation_id);
    else if (message.action === "refund") await stub.refund(store, message);
  }
}
