/**
 * Ships an object's outbox — an AccountDO's, a StoreDO's or a TenantDO's: everything for D1 as one shipment, split
 * by database, to the tenant's history writers (which batch it with other objects' shipments), and beside it the
 * StoreDO messages in their order. Every step is idempotent, so a retry is harmless.
 */
import type { Env } from "../env";
import type { AuditEntry } from "../audit/audit-chain";
import type { Alert } from "../limits/limit";
import type { TillsafeEvent } from "../webhooks/events";
import { baseOf } from "./operation-moments";

import { isEmptyShipment, type Shipment } from "../history/projection";
import type { RefundGiveBack } from "../limits/evaluate";
import type { Card, JournalEntry, OperationRecord } from "../accounts/operation";
import type { OutboxStorage } from "./outbox-storage";
import { historyWriterOf, storeOf } from "../objects";
import { tenantShards } from "../shards/tenant-shards";
import { shipmentParts } from "./shipment-parts";

/** A message for a StoreDO: commit or release an operation's counts, or give back a refund's share. */
export type StoreMessage =
  | { action: "commit" | "release"; operation_id: string }
  | ({ action: "refund"; operation_id: string; original_id: string } & RefundGiveBack);

/** One message: a journal entry, an operation or card to project, an alert, an event, an audit entry, a StoreDO message. */
export type OutboxItem = {
  kind: "entry" | "operation" | "card" | "alert" | "store" | "event" | "audit";
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

/** Where an outbox's operations and cards are read as they are now (an account's; other objects have none). */
export interface OutboxSources {
  operation(id: string): OperationRecord | null;
  card(number: string): (Card & { version: number }) | null;
}

/** Whose outbox it is: a member's account, or (member_id null) a store or the tenant itself. */
export interface OutboxOrigin {
  tenant_id: string;
  member_id: string | null;
}

const NO_SOURCES: OutboxSources = { operation: () => null, card: () => null };

/** The D1 part of outbox rows as one shipment, and the StoreDO messages among them. */
function shipmentOf(origin: OutboxOrigin, rows: OutboxRow[], sources: OutboxSources) {
  const shipment: Shipment = { ...origin, operations: [], entries: [], cards: [], alerts: [], events: [], audits: [] };
  const storeMessages: (StoreMessage & { store_id: string })[] = [];
  const shipped = new Set<string>();
  for (const row of items(rows)) {
    // An operation or card changed several times since the last shipment is shipped once, as it is now.
    const key = `${row.kind}:${row.ref}`;
    if ((row.kind === "operation" || row.kind === "card") && shipped.has(key)) continue;
    shipped.add(key);
    if (row.kind === "entry") shipment.entries.push(payloadOf<JournalEntry>(row));
    else if (row.kind === "alert") shipment.alerts.push(payloadOf<Alert>(row));
    else if (row.kind === "event") shipment.events.push(payloadOf<TillsafeEvent>(row));
    else if (row.kind === "audit") shipment.audits.push(payloadOf<AuditEntry>(row));
    else if (row.kind === "store") storeMessages.push(payloadOf<StoreMessage & { store_id: string }>(row));
    else if (row.kind === "operation") {
      const record = sources.operation(row.ref);
      if (record) shipment.operations.push({ version: record.version, operation: record.operation, base: baseOf(record) });
    } else {
      const card = sources.card(row.ref);
      if (card) shipment.cards.push(card);
    }
  }
  return { shipment, storeMessages };
}

export async function shipOutbox(env: Env, origin: OutboxOrigin, rows: OutboxRow[], sources: OutboxSources = NO_SOURCES): Promise<void> {
  const { shipment, storeMessages } = shipmentOf(origin, rows, sources);
  // Each part to the writer of its database (usually one shard, and the directory when alerts, cards or audits ride).
  const toD1 = async () => {
    if (isEmptyShipment(shipment)) return;
    const { placement } = await tenantShards(env, origin.tenant_id);
    const parts = [...shipmentParts(shipment, placement)];
    const results = await Promise.all(parts.map(([target, part]) => historyWriterOf(env, origin.tenant_id, target).write(target, part)));
    const refused = results.find((result) => !result.written);
    if (refused && !refused.written) throw new Error(refused.reason);
  };
  // Commit, release and refund messages for StoreDOs, in their order (a refund gives back what a commit counted),
  // beside the D1 write rather than after it: a released place is free at once. Each is idempotent there.
  const toStores = async () => {
    for (const message of storeMessages) {
      const store = { tenant_id: origin.tenant_id, store_id: message.store_id };
      const stub = storeOf(env, store);
      if (message.action === "commit") await stub.commit(store, message.operation_id);
      else if (message.action === "release") await stub.release(store, message.operation_id);
      else if (message.action === "refund") await stub.refund(store, message);
    }
  };
  // Both finish before the shipment counts as done or failed: the next shipment never overlaps this one's.
  const [d1, stores] = await Promise.allSettled([toD1(), toStores()]);
  for (const outcome of [d1, stores]) if (outcome.status === "rejected") throw outcome.reason;
}

const BATCH = 200;

/** Ships everything the outbox holds, a batch at a time, dropping each batch once shipped; throws when D1 refused. */
export async function shipAll(env: Env, origin: OutboxOrigin, outbox: OutboxStorage, sources: OutboxSources = NO_SOURCES): Promise<void> {
  for (;;) {
    const rows = outbox.batch(BATCH);
    if (rows.length === 0) return;
    await shipOutbox(env, origin, rows, sources);
    outbox.dropShipped(rows[rows.length - 1].id, rows.length);
    // A short batch was all there was: rows written meanwhile have asked for their own shipment.
    if (rows.length < BATCH) return;
  }
}
