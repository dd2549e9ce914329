/**
 * How a pending operation ends, as pure functions: confirmed (its holds and credits become journal entries), cancelled
 * (released), or expired (past `expires_at`, never confirmed after it).
 */
import type { Refusal } from "../lib/refusal";
import { refuse } from "../lib/refusal";
import { METHODS, type JournalEntry, type Method, type Operation, type OperationRecord } from "./operation";

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
