/**
 * How a pending operation ends, as pure functions: confirmed (its holds and credits become journal entries), cancelled
 * (released), or expired (past `expires_at`, never confirmed after it). `confirmed` and `closed` take what the
 * operation and the purchase a refund refers to are now, and return what they become with every effect to write;
 * the account's storage only persists that (`AccountStorage.settle`).
 */
import { operationEventId } from "../lib/ids";
import type { Refusal } from "../lib/refusal";
import { refuse } from "../lib/refusal";
import { refundGiveBack, type CounterChange, type RefundGiveBack } from "../limits/evaluate";
import { METHODS, type JournalEntry, type Method, type Operation, type OperationRecord } from "./operation";
import type { StoreMessage } from "../history/outbox";
import { confirmRefund, freeRefund } from "./refund";

export function isAuthorized(operation: Operation): boolean {
  const status = operation.authorization.status;
  return status === "not_required" || status === "approved" || status === "verified";
}

export function isDue(operation: Operation, now: number): boolean {
  return operation.status === "pending" && Date.parse(operation.expires_at) <= now;
}

export type ConfirmDecision =
  | { kind: "already_confirmed" }
  | { kind: "expire" }
  | { kind: "post" }
  | { kind: "refuse"; refusal: Refusal };

export function decideConfirm(operation: Operation, now: number): ConfirmDecision {
  if (operation.status === "confirmed") return { kind: "already_confirmed" };
  if (operation.status !== "pending") {
    return { kind: "refuse", refusal: refuse("operation_not_pending", `The operation is ${operation.status}`, { status: operation.status }) };
  }
  if (isDue(operation, now)) return { kind: "expire" };
  if (!isAuthorized(operation)) {
    return {
      kind: "refuse",
      refusal: refuse("authorization_required", "The operation needs authorization before it can be confirmed", {
        authorization: operation.authorization,
      }),
    };
  }
  return { kind: "post" };
}

export type CancelDecision = { kind: "already_closed" } | { kind: "release" } | { kind: "refuse"; refusal: Refusal };

export function decideCancel(operation: Operation): CancelDecision {
  if (operation.status === "pending") return { kind: "release" };
  if (operation.status === "confirmed") {
    return { kind: "refuse", refusal: refuse("operation_not_pending", "A confirmed operation cannot be cancelled; refund it", { status: "confirmed" }) };
  }
  return { kind: "already_closed" };
}

const JOURNAL_KINDS: Record<Operation["type"], { debit: string; credit: string }> = {
  purchase: { debit: "payment", credit: "accrual" },
  refund: { debit: "accrual_reversal", credit: "refund" },
  top_up: { debit: "top_up", credit: "top_up" },
  manual_accrual: { debit: "manual_accrual", credit: "manual_accrual" },
  manual_deduction: { debit: "manual_deduction", credit: "manual_deduction" },
};

/**
 * The journal entries that confirming `record` posts, credits first, each with the balance after it.
 * Returns the entries and the balances they leave.
 */
export function postings(
  record: OperationRecord,
  balances: Record<Method, number>,
  nextSeq: number,
  newEntryId: () => string,
  now: number,
): { entries: JournalEntry[]; balances: Record<Method, number> } {
  const after = { ...balances };
  const entries: JournalEntry[] = [];
  const kinds = JOURNAL_KINDS[record.operation.type];
  const post = (method: Method, amount: number, kind: string) => {
    after[method] += amount;
    entries.push({
      id: newEntryId(),
      seq: nextSeq + entries.length,
      operation_id: record.operation.id,
      kind,
      method,
      amount,
      balance_after: after[method],
      store_id: record.operation.store_id,
      register_id: record.operation.register_id,
      created_at: new Date(now).toISOString(),
    });
  };
  // Credits first, so the debit (a purchase's payment) is the newest entry and tops the member's history.
  for (const method of METHODS) if ((record.credits[method] ?? 0) > 0) post(method, record.credits[method]!, kinds.credit);
  for (const method of METHODS) if ((record.holds[method] ?? 0) > 0) post(method, -record.holds[method]!, kinds.debit);
  return { entries, balances: after };
}

/** What ending an operation works on: the operation and, for a refund, the purchase it refers to. */
export interface Settling {
  record: OperationRecord;
  original: OperationRecord | null;
}

/** What confirming also needs: the balances now, and the journal's next sequence number. */
export interface JournalHead {
  balances: Record<Method, number>;
  nextSeq: number;
}

/** What confirming a refund also needs: what the purchase it refunds counted against the card limits. */
export type OriginalCounts = CounterChange[];

export type SettlementEffect =
  | { kind: "event"; id: string; type: string; created_at: string; data: { operation: Operation } }
  | { kind: "counters"; action: "commit" | "release"; operation_id: string }
  | { kind: "counters"; action: "give_back"; changes: CounterChange[] }
  | { kind: "store"; store_id: string; message: StoreMessage }
  | { kind: "close_request"; operation_id: string; status: "cancelled" | "expired" };

/** An operation ended: the records as they are now, the journal entries posted and the balances they leave, the rest. */
export interface Settled {
  record: OperationRecord;
  original: OperationRecord | null;
  entries: JournalEntry[];
  /** The balances after the entries (null: a release moves no balance). */
  balances: Record<Method, number> | null;
  effects: SettlementEffect[];
}

/** The event a new operation raises (written with the operation itself). */
export const createdEvent = (operation: Operation) => ({
  id: operationEventId(operation.id, "created"),
  type: "operation.created",
  created_at: operation.created_at,
  data: { operation: { ...operation } },
});

const eventOf = (id: string, type: string, operation: Operation): SettlementEffect => ({
  kind: "event",
  id,
  type,
  created_at: operation.updated_at,
  data: { operation: { ...operation } },
});

/** A pending, authorized operation confirmed: its holds and credits posted, its counts kept, a refund's share given back. */
export function confirmed(settling: Settling, head: JournalHead, counted: OriginalCounts, now: number, newEntryId: () => string): Settled {
  const record = structuredClone(settling.record);
  const original = settling.original && structuredClone(settling.original);
  const { entries, balances } = postings(record, head.balances, head.nextSeq, newEntryId, now);
  const op = record.operation;
  op.status = "confirmed";
  op.confirmed_at = op.updated_at = new Date(now).toISOString();
  const effects: SettlementEffect[] = [];
  if (record.counted) effects.push({ kind: "counters", action: "commit", operation_id: op.id });
  effects.push(eventOf(operationEventId(op.id, "confirmed"), "operation.confirmed", op));
  if (record.store_reserved) effects.push({ kind: "store", store_id: op.store_id, message: { action: "commit", operation_id: op.id } });
  if (original) {
    // A confirmed refund gives back its share of what the original counted, here and at the original's store.
    const share: RefundGiveBack = { ...confirmRefund(original, record), credits: { ...record.credits }, take_back: record.holds.points ?? 0 };
    effects.push({ kind: "counters", action: "give_back", changes: refundGiveBack(counted, share) });
    if (original.store_reserved) {
      const message: StoreMessage = { action: "refund", operation_id: op.id, original_id: original.operation.id, ...share };
      effects.push({ kind: "store", store_id: original.operation.store_id, message });
    }
  }
  return { record, original, entries, balances, effects };
}

/** A pending operation cancelled or expired: its holds and counts released, its approval request closed, a refund's claim freed. */
export function closed(settling: Settling, status: "cancelled" | "expired", now: number): Settled {
  const record = structuredClone(settling.record);
  const original = settling.original && structuredClone(settling.original);
  const op = record.operation;
  op.status = status;
  op.cancelled_at = op.updated_at = new Date(now).toISOString();
  const effects: SettlementEffect[] = [eventOf(operationEventId(op.id, status), `operation.${status}`, op)];
  if (record.counted) effects.push({ kind: "counters", action: "release", operation_id: op.id });
  if (record.store_reserved) effects.push({ kind: "store", store_id: op.store_id, message: { action: "release", operation_id: op.id } });
  effects.push({ kind: "close_request", operation_id: op.id, status });
  if (original) freeRefund(original, record);
  return { record, original, entries: [], balances: null, effects };
}
