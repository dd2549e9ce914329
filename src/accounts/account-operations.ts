/**
 * An account's operations, decided inside its transaction: create (a repeated Idempotency-Key is answered as the
 * first time), confirm (holds become journal entries), cancel, and change a pending purchase. The rules are
 * `ledger.ts` and `card-limits.ts`; the ledger stores what they decided.
 */
import type { Who } from "../audit/audit-entry";
import { done, type Result } from "../lib/outcome";
import { isRefusal, keyReused, refuse } from "../lib/refusal";
import type { LimitCheck, OperationScope } from "./account-ref";
import { audited, operationNotFound, type AccountTx } from "./account-tx";
import { countCardLimits } from "./card-limits";
import { planOperation, replanPurchase, type NewOperation, type OperationPolicy } from "./ledger";
import { closed, confirmed, createdEvent, decideCancel, decideConfirm, isDue, type Settling } from "./settlement";
import { newId, operationAuditId } from "../lib/ids";
import type { Operation, OperationRecord, PurchaseChange } from "./operation";
import { claimRefund, tallyFromRefunds } from "./refund";
import { baseOf } from "../history/operation-moments";

export type NewOperationCall = NewOperation & { fingerprint: string; limits?: LimitCheck };

/** A repeat of a create already answered: the first answer again (as the text it was stored as), or a key reused. */
export function replayedCreate(tx: AccountTx, input: NewOperationCall): Result<Operation> | null {
  const { answer: prior, record: existing } = tx.ledger.answers.replayOf(input.id);
  if (prior) return prior.fingerprint !== input.fingerprint ? keyReused() : prior.result;
  return existing ? done(existing.operation) : null;
}

/** A new operation: planned, its card limits counted, held; the answer is stored for a repeat of its key. */
export function createOperation(tx: AccountTx, input: NewOperationCall): Result<Operation> {
  const request = input.request;
  if (request.type !== "refund") tx.ledger.cards.knownCard(request.card);
  const original = request.type === "refund" ? refundable(tx, request.original_operation_id) : null;
  // An unknown original is not worth a stored answer: it will stay unknown.
  if (request.type === "refund" && !original) return operationNotFound();
  const plan = planOperation(input, tx.ledger.view(), original);
  const refusal = isRefusal(plan) ? plan : countCardLimits(tx.ledger, plan, input.limits, input.now, (key) => tx.ledger.counters.counter(key));
  if (refusal) {
    tx.ledger.answers.rememberRefusal(input.id, input.fingerprint, refusal, input.now);
    return refusal;
  }
  const made = plan as OperationRecord;
  // Said as text once: the first answer kept in the operation's row and the answer itself are the same string.
  const answer = JSON.stringify(made.operation);
  if (original && request.type === "refund") {
    claimRefund(original, made);
    tx.ledger.saveRecord(original, input.now);
  }
  made.store_reserved = input.limits?.store_reserved ?? false;
  tx.ledger.insertRecord(made, { fingerprint: input.fingerprint, answer }, createdEvent(made.operation));
  return { refused: false, json: answer };
}

/** `by`: who confirms, for the audit entry of a change made by hand (a manual accrual or deduction). */
export function confirmOperation(tx: AccountTx, id: string, scope: OperationScope, now: number, by: Who | null): Result<Operation> {
  const record = tx.scoped(id, scope);
  if (!record) return operationNotFound();
  const decision = decideConfirm(record.operation, now);
  switch (decision.kind) {
    case "already_confirmed":
      return done(record.operation);
    case "refuse":
      return decision.refusal;
    case "expire":
      release(tx, record, "expired", now);
      return refuse("operation_not_pending", "The operation is expired", { status: "expired" });
    case "post": {
      const settling = settlingOf(tx, record);
      const counted = settling.original ? tx.ledger.counters.committedOf(settling.original.operation.id) : [];
      const settled = confirmed(settling, tx.ledger.journalHead(), counted, now, () => newId("ent"));
      tx.ledger.settle(settled, now);
      const op = settled.record.operation;
      const manual = op.type === "manual_accrual" || op.type === "manual_deduction";
      const after = { card: op.card, method: op.method, amount: op.amount, reason: op.reason, store_id: op.store_id, register_id: op.register_id };
      return done(op, manual && by ? audited(tx.ledger, by, operationAuditId(op.id, "confirmed"), `balance.${op.type}`, op.id, after, now) : undefined);
    }
  }
}

/** `by`: the back office cancelling a till's hold, audited when this call released it. */
export function cancelOperation(tx: AccountTx, id: string, scope: OperationScope, now: number, by: Who | null): Result<Operation> {
  const record = tx.scoped(id, scope);
  if (!record) return operationNotFound();
  const decision = decideCancel(record.operation);
  if (decision.kind === "refuse") return decision.refusal;
  if (decision.kind !== "release") return done(record.operation);
  const op = release(tx, record, "cancelled", now);
  const after = { status: op.status, card: op.card, register_id: op.register_id };
  return done(op, by ? audited(tx.ledger, by, operationAuditId(op.id, "cancelled"), "operation.cancelled", op.id, after, now) : undefined);
}

/** PATCH: a new cheque or payments for a pending purchase; re-holds, restarts authorization, supersedes a request. */
export function changePurchase(tx: AccountTx, id: string, scope: OperationScope, change: PurchaseChange, policy: OperationPolicy, limits: LimitCheck | undefined, now: number): Result<Operation> {
  const record = tx.scoped(id, scope);
  if (!record) return operationNotFound();
  const plan = replanPurchase(record, change, policy, tx.ledger.view(), now);
  if (isRefusal(plan)) return plan;
  // The card limits are checked as if this operation's own count were not there, then counted anew.
  const counters = tx.ledger.counters;
  const refusal = countCardLimits(tx.ledger, plan, limits, now, (key) => counters.counterWithout(id, key), () => counters.release(id));
  if (refusal) return refusal;
  plan.store_reserved = record.store_reserved || (limits?.store_reserved ?? false);
  plan.counted = plan.counted || record.counted;
  // The changed purchase keeps the base it was made with: D1's row and its events are told apart from it.
  plan.base = baseOf(record);
  tx.ledger.replaceHolds(record, plan);
  tx.ledger.saveRecord(plan, now);
  const pending = tx.ledger.requests.pendingOf(id);
  if (pending) tx.ledger.requests.close(pending, "superseded", now);
  return done(plan.operation);
}

/** Releases a pending operation (cancelled, or expired) as `settlement.ts` decides; the operation as it is now. */
export function release(tx: AccountTx, record: OperationRecord, status: "cancelled" | "expired", now: number): Operation {
  const settled = closed(settlingOf(tx, record), status, now);
  tx.ledger.settle(settled, now);
  return settled.record.operation;
}

/** Expires the pending operations past their expiry: first in every transaction, so no call sees one as pending. */
export function expireDue(tx: AccountTx, now: number): void {
  const due = tx.ledger.dueOperations(now);
  for (const record of due) if (isDue(record.operation, now)) release(tx, record, "expired", now);
  if (tx.ledger.mayBeDue(now)) tx.ledger.expiriesSeen();
}

/**
 * A purchase as refunds see it: with its refund tally, which a purchase recorded before tallies existed gets from
 * its refunds' own records (once: it is saved with the next refund).
 */
function refundable(tx: AccountTx, id: string): OperationRecord | null {
  const record = tx.ledger.record(id);
  if (!record || record.refund_tally || record.refunded === 0) return record;
  record.refund_tally = tallyFromRefunds(tx.ledger.refundsOf(id));
  return record;
}

/** What ending `record` works on: the record and the purchase it refunds, read before either changes. */
function settlingOf(tx: AccountTx, record: OperationRecord): Settling {
  const id = record.operation.type === "refund" ? record.operation.original_operation_id : undefined;
  return { record, original: id ? refundable(tx, id) : null };
}
