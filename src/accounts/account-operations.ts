/**
 * An account's operations, decided inside its transaction: create (a repeated Idempotency-Key is answered as the
 * first time), confirm (holds become journal entries), cancel, and change a pending purchase. The rules are
 * `ledger.ts` and `card-limits.ts`; the ledger stores what they decided.
 */
import type { Who } from "../audit/audit-entry";
import { done, type Result } from "../lib/outcome";
import { isRefusal, refuse } from "../lib/refusal";
import type { LimitCheck, OperationScope } from "./account-ref";
import { audited, operationNotFound, type AccountTx } from "./account-tx";
import { countCardLimits } from "./card-limits";
import { keyReused, planOperation, replanPurchase, type NewOperation, type OperationPolicy } from "./ledger";
import { decideCancel, decideConfirm } from "./settlement";
import type { Operation, OperationRecord, PurchaseChange } from "./operation";
import { claimRefund } from "./refund";

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
  const original = request.type === "refund" ? tx.ledger.refundable(request.original_operation_id) : null;
  // An unknown original is not worth a stored answer: it will stay unknown.
  if (request.type === "refund" && !original) return operationNotFound();
  const plan = planOperation(input, tx.ledger.view(), original);
  const refusal = isRefusal(plan) ? plan : countCardLimits(tx.ledger, plan, input.limits, input.now, (key) => tx.ledger.counters.counter(key));
  const result: Result<Operation> = refusal ?? done((plan as OperationRecord).operation);
  tx.ledger.answers.remember(input.id, input.fingerprint, result, input.now);
  if (refusal || isRefusal(plan)) return result;
  if (original && request.type === "refund") {
    claimRefund(original, plan);
    tx.ledger.saveRecord(original, input.now);
  }
  plan.store_reserved = input.limits?.store_reserved ?? false;
  tx.ledger.insertRecord(plan);
  return result;
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
      tx.ledger.close(record, "expired", now);
      return refuse("operation_not_pending", "The operation is expired", { status: "expired" });
    case "post": {
      tx.ledger.post(record, now);
      const op = record.operation;
      const manual = op.type === "manual_accrual" || op.type === "manual_deduction";
      const after = { card: op.card, method: op.method, amount: op.amount, reason: op.reason, store_id: op.store_id, register_id: op.register_id };
      return done(op, manual && by ? audited(tx.ledger, by, `aud_${op.id}`, `balance.${op.type}`, op.id, after, now) : undefined);
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
  tx.ledger.close(record, "cancelled", now);
  const op = record.operation;
  const after = { status: op.status, card: op.card, register_id: op.register_id };
  return done(op, by ? audited(tx.ledger, by, `aud_cancel_${op.id}`, "operation.cancelled", op.id, after, now) : undefined);
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
  tx.ledger.replaceHolds(record, plan);
  tx.ledger.saveRecord(plan, now);
  const pending = tx.ledger.requests.pendingOf(id);
  if (pending) tx.ledger.requests.close(pending, "superseded", now);
  return done(plan.operation);
}
