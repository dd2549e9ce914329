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
import { answered, requested, type Answer, type AnswerVia, type ApprovalRequest, type ApprovalStatus } from "./approval";

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
  const context = { record, pending: tx.ledger.requests.pendingOf(id), lastRequestAt: tx.ledger.requests.lastTimeOf(id), resend: ask.resend, now };
  const made = requested(context, newId("apr"), ask);
  if (isRefusal(made)) return made;
  if (made.supersede) tx.ledger.requests.close(made.supersede, "superseded", now);
  tx.ledger.requests.insert(made.request);
  if (ask.test_answer) tx.ledger.requests.scheduleTestAnswer(made.request.id, ask.test_answer, now + TEST_ANSWER_DELAY_MS);
  tx.ledger.saveRecord(made.record, now);
  return done(made.request);
}

/** The member's answer to a request, or why it cannot be answered now. */
export function answerRequest(tx: AccountTx, requestId: string, answer: Answer, now: number, via: AnswerVia = "member"): Result<ApprovalRequest> {
  const request = tx.ledger.requests.byId(requestId);
  if (!request) return refuse("approval_request_not_found", "Approval request not found");
  const result = answered(request, tx.ledger.record(request.operation_id)!, answer, now, via);
  if (isRefusal(result)) return result;
  tx.ledger.requests.closeAs(result.request);
  tx.ledger.outbox.event(result.event);
  tx.ledger.saveRecord(result.record, now);
  return done(result.request);
}

/** A page of the member's requests, newest first, after the request `after`. */
export function requestsPage(tx: AccountTx, status: ApprovalStatus | null, limit: number, after: string | null) {
  const before = after ? tx.ledger.requests.seqOf(after) : null;
  const rows = tx.ledger.requests.page(status, limit + 1, before);
  return { data: rows.slice(0, limit), next_cursor: rows.length > limit ? rows[limit - 1].id : null };
}
