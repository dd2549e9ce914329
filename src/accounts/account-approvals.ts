/**
 * Member approval (MobiSecure), decided inside the account's transaction: a cashier's "Request for Approval" (one
 * pending per operation: a resend supersedes it), the member's answer (the operation's authorization follows it), and
 * the requests listed for the member's page. The object pushes a new request to the member's open pages after commit.
 */
import { newId } from "../lib/ids";
import { done, type Result } from "../lib/outcome";
import { isRefusal, refuse } from "../lib/refusal";
import { TEST_ANSWER_DELAY_MS } from "../tenants/test-mode";
import type { OperationScope } from "./account-ref";
import { operationNotFound, type AccountTx } from "./account-tx";
import { decideAnswer, decideRequest, newApprovalRequest, type Answer, type ApprovalRequest, type ApprovalStatus } from "./approval";
import { setStep } from "./authorization";

export interface ApprovalAsk {
  resend: boolean;
  store_name: string;
  register_name: string;
  /** Test mode: the answer the member's test phone will give by itself. */
  test_answer?: "approve" | "reject" | null;
}

/** The request made (to push to the member's pages once committed), or why none could be. */
export function requestApproval(tx: AccountTx, id: string, scope: OperationScope, ask: ApprovalAsk, now: number): Result<ApprovalRequest> {
  const record = tx.scoped(id, scope);
  if (!record) return operationNotFound();
  const decision = decideRequest({ record, pending: tx.ledger.requests.pendingOf(id), lastRequestAt: tx.ledger.requests.lastTimeOf(id), resend: ask.resend, now });
  if (isRefusal(decision)) return decision;
  if (decision.supersede) tx.ledger.requests.close(decision.supersede, "superseded", now);
  const created = newApprovalRequest(newId("apr"), record, record.approval.methods, record.approval.point_value, ask, now);
  tx.ledger.requests.insert(created);
  if (ask.test_answer) tx.ledger.requests.scheduleTestAnswer(created.id, ask.test_answer, now + TEST_ANSWER_DELAY_MS);
  setStep(record, "approval", "pending");
  tx.ledger.saveRecord(record, now);
  return done(created);
}

/** The member's answer to a request, or why it cannot be answered now. */
export function answerRequest(tx: AccountTx, requestId: string, answer: Answer, now: number): Result<ApprovalRequest> {
  const request = tx.ledger.requests.byId(requestId);
  if (!request) return refuse("approval_request_not_found", "Approval request not found");
  const refusal = decideAnswer(request);
  if (refusal) return refusal;
  const status = answer === "approve" ? "approved" : "rejected";
  const at = new Date(now).toISOString();
  tx.ledger.requests.close(request, status, now);
  tx.ledger.outbox.event(`evt_${request.id}_answered`, "approval_request.answered", at, { approval_request: { ...request, status, answered_at: at } });
  const record = tx.ledger.record(request.operation_id)!;
  setStep(record, "approval", status);
  tx.ledger.saveRecord(record, now);
  return done(request);
}

/** A page of the member's requests, newest first, after the request `after`. */
export function requestsPage(tx: AccountTx, status: ApprovalStatus | null, limit: number, after: string | null) {
  const before = after ? tx.ledger.requests.seqOf(after) : null;
  const rows = tx.ledger.requests.page(status, limit + 1, before);
  return { data: rows.slice(0, limit), next_cursor: rows.length > limit ? rows[limit - 1].id : null };
}
