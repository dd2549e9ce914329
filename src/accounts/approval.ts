/**
 * MobiSecure: the member approves or rejects an operation's deduction on the hosted page.
 * Pure rules over plain data; the AccountDO stores the requests and pushes them to the member's open pages.
 */

import type { Method, OperationRecord } from "./operation";
import { answeredEventId } from "../lib/ids";
import { isRefusal, refuse, type Refusal } from "../lib/refusal";
import { setStep } from "./authorization";

export type ApprovalStatus = "pending" | "approved" | "rejected" | "superseded" | "expired" | "cancelled";

/** The request object of API.md, with where it comes from for the member's pop-up. */
export interface ApprovalRequest {
  id: string;
  operation_id: string;
  /** Money value, in minor units, of the payments that need approval. */
  amount: number;
  methods: Method[];
  payments: { method: Method; amount: number }[];
  status: ApprovalStatus;
  store_id: string;
  store_name: string;
  register_id: string;
  register_name: string;
  cheque_number: string | null;
  created_at: string;
  expires_at: string;
  answered_at: string | null;
  /** Once answered: in a session the member opened (`member`), or one opened from a back-office link (`link`). */
  via?: AnswerVia;
}

export type AnswerVia = "member" | "link";

/** Shortest time between two requests for one operation when the cashier resends. */
export const RESEND_INTERVAL_MS = 3_000;

export interface RequestContext {
  record: OperationRecord;
  pending: ApprovalRequest | null;
  lastRequestAt: number | null;
  resend: boolean;
  now: number;
}

export type RequestDecision = { supersede: ApprovalRequest | null } | Refusal;

export function decideRequest({ record, pending, lastRequestAt, resend, now }: RequestContext): RequestDecision {
  const op = record.operation;
  if (op.status !== "pending") {
    return refuse("operation_not_pending", `The operation is ${op.status}`, { status: op.status });
  }
  if (record.steps.approval === undefined) {
    return refuse("approval_not_required", "This operation does not need the member's approval", {
      authorization: op.authorization,
    });
  }
  if (record.steps.approval === "approved") {
    return refuse("already_approved", "The member has already approved this operation");
  }
  if (pending) {
    if (!resend) {
      return refuse("approval_request_pending", "A request for this operation is still pending; resend to replace it", {
        request_id: pending.id,
      });
    }
    if (lastRequestAt !== null && now - lastRequestAt < RESEND_INTERVAL_MS) {
      const retryAfter = Math.ceil((RESEND_INTERVAL_MS - (now - lastRequestAt)) / 1000);
      return refuse("rate_limited", "Resent too soon; wait a moment", { retry_after: retryAfter });
    }
  }
  return { supersede: pending };
}

export function newApprovalRequest(
  id: string,
  record: OperationRecord,
  approvalMethods: Method[],
  pointValue: number,
  names: { store_name: string; register_name: string },
  now: number,
): ApprovalRequest {
  const op = record.operation;
  const payments = (op.payments ?? []).filter((p) => approvalMethods.includes(p.method));
  if (op.type === "manual_deduction" && op.method && approvalMethods.includes(op.method)) {
    payments.push({ method: op.method, amount: op.amount ?? 0 });
  }
  return {
    id,
    operation_id: op.id,
    amount: payments.reduce((sum, p) => sum + (p.method === "points" ? p.amount * pointValue : p.amount), 0),
    methods: payments.map((p) => p.method),
    payments,
    status: "pending",
    store_id: op.store_id,
    store_name: names.store_name,
    register_id: op.register_id,
    register_name: names.register_name,
    cheque_number: op.cheque?.number ?? null,
    created_at: new Date(now).toISOString(),
    expires_at: op.expires_at,
    answered_at: null,
  };
}

export type Answer = "approve" | "reject";

/** The member's answer: the request closed with it, the operation's approval step following it, and the event. */
export interface Answered {
  status: "approved" | "rejected";
  request: ApprovalRequest;
  record: OperationRecord;
  event: { id: string; type: "approval_request.answered"; created_at: string; data: { approval_request: ApprovalRequest } };
}

export function answered(request: ApprovalRequest, record: OperationRecord, answer: Answer, now: number, via: AnswerVia = "member"): Answered | Refusal {
  const refusal = decideAnswer(request);
  if (refusal) return refusal;
  const status = answer === "approve" ? ("approved" as const) : ("rejected" as const);
  const at = new Date(now).toISOString();
  const closed: ApprovalRequest = { ...request, status, answered_at: at, via };
  const after = structuredClone(record);
  setStep(after, "approval", status);
  return { status, request: closed, record: after, event: { id: answeredEventId(request.id), type: "approval_request.answered", created_at: at, data: { approval_request: closed } } };
}

/** A request made: the new one (pending), the one it supersedes, the operation's approval step now pending. */
export interface Requested {
  request: ApprovalRequest;
  supersede: ApprovalRequest | null;
  record: OperationRecord;
}

export function requested(context: RequestContext, id: string, names: { store_name: string; register_name: string }): Requested | Refusal {
  const decision = decideRequest(context);
  if (isRefusal(decision)) return decision;
  const { methods, point_value } = context.record.approval;
  const request = newApprovalRequest(id, context.record, methods, point_value, names, context.now);
  const record = structuredClone(context.record);
  setStep(record, "approval", "pending");
  return { request, supersede: decision.supersede, record };
}

export function decideAnswer(request: ApprovalRequest): Refusal | null {
  if (request.status !== "pending") {
    return refuse("approval_request_closed", `This request is ${request.status}`, { status: request.status });
  }
  return null;
}
