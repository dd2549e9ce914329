/** The pure rules of member approval, SMS codes, card statuses, the SMS budget and alert steps, without any runtime: each answer and refusal, with its details. */
import { describe, expect, it } from "vitest";
import { answered, decideAnswer, decideRequest, newApprovalRequest, requested } from "../src/accounts/approval";
import { blocked, replaced, unblocked } from "../src/accounts/card-status";
import { emptyAmounts, planOperation } from "../src/accounts/ledger";
import type { OperationRecord } from "../src/accounts/operation";
import { decideIssue, decideVerify, newCode } from "../src/auth/one-time-code";
import { isRefusal } from "../src/lib/refusal";
import { decideAlertStep } from "../src/limits/alert-status";
import { decideSms, giveBack } from "../src/sms/sms-budget";

const NOW = Date.parse("2026-11-22T10:00:00Z");

function cashbackSale(): OperationRecord {
  const policy = { approval_required_for: ["cashback" as const], points_per_currency_unit: 1, point_value: 1, hold_ttl_seconds: 900, minor_digits: 2, sms_confirm_points_deduction: false };
  const request = { type: "purchase" as const, card: "1111", cheque: { number: "A-1", total: 1000 }, payments: [{ method: "cashback" as const, amount: 1000 }] };
  const account = { balances: { ...emptyAmounts(), cashback: 5000 }, held: emptyAmounts(), incoming: emptyAmounts(), cardStatus: () => "active" as const };
  const record = planOperation({ id: "op_x", member_id: "mem_x", store_id: "sto_x", register_id: "reg_x", request, policy, now: NOW }, account, null);
  if (isRefusal(record)) throw new Error(record.code);
  return record;
}

describe("a request for approval", () => {
  const ask = { resend: false, store_name: "Café", register_name: "Till 1" };

  it("is made for a pending operation that needs one; a second waits for the first unless resent, and not within 3 s", () => {
    const record = cashbackSale();
    expect(decideRequest({ record, pending: null, lastRequestAt: null, resend: false, now: NOW })).toEqual({ supersede: null });
    const pending = newApprovalRequest("apr_1", record, record.approval.methods, 1, ask, NOW);
    expect(pending).toMatchObject({ status: "pending", amount: 1000, methods: ["cashback"], store_name: "Café" });
    expect(decideRequest({ record, pending, lastRequestAt: NOW, resend: false, now: NOW + 1000 })).toMatchObject({ code: "approval_request_pending", details: { request_id: "apr_1" } });
    expect(decideRequest({ record, pending, lastRequestAt: NOW, resend: true, now: NOW + 1000 })).toMatchObject({ code: "rate_limited", details: { retry_after: 2 } });
    expect(decideRequest({ record, pending, lastRequestAt: NOW, resend: true, now: NOW + 3000 })).toEqual({ supersede: pending });
  });

  it("is refused once approved, for an operation that needs none, and for one no longer pending", () => {
    const record = cashbackSale();
    record.steps.approval = "approved";
    expect(decideRequest({ record, pending: null, lastRequestAt: null, resend: false, now: NOW })).toMatchObject({ code: "already_approved" });
    delete record.steps.approval;
    expect(decideRequest({ record, pending: null, lastRequestAt: null, resend: false, now: NOW })).toMatchObject({ code: "approval_not_required" });
    record.operation.status = "cancelled";
    expect(decideRequest({ record, pending: null, lastRequestAt: null, resend: false, now: NOW })).toMatchObject({ code: "operation_not_pending", details: { status: "cancelled" } });
  });

  it("made: the request, the one it supersedes, the operation's approval step pending; the record given is left as it was", () => {
    const record = cashbackSale();
    const made = requested({ record, pending: null, lastRequestAt: null, resend: false, now: NOW }, "apr_1", ask);
    if (isRefusal(made)) throw new Error(made.code);
    expect(made.request).toMatchObject({ id: "apr_1", status: "pending", amount: 1000 });
    expect(made.supersede).toBeNull();
    expect(made.record.operation.authorization).toEqual({ method: "approval", status: "pending" });
    expect(record.operation.authorization).toEqual({ method: "approval", status: "required" });
  });

  it("answered: the request closed with the answer, the step following it, and the event that says so", () => {
    const record = cashbackSale();
    const request = newApprovalRequest("apr_1", record, ["cashback"], 1, ask, NOW);
    const result = answered(request, record, "reject", NOW + 5000);
    if (isRefusal(result)) throw new Error(result.code);
    expect(result.status).toBe("rejected");
    expect(result.request).toMatchObject({ status: "rejected", answered_at: "2026-11-22T10:00:05.000Z" });
    expect(result.record.operation.authorization).toEqual({ method: "approval", status: "rejected" });
    expect(result.event).toEqual({ id: "evt_apr_1_answered", type: "approval_request.answered", created_at: "2026-11-22T10:00:05.000Z", data: { approval_request: result.request } });
    expect(request.status).toBe("pending");
    expect(answered({ ...request, status: "approved" }, record, "reject", NOW)).toMatchObject({ code: "approval_request_closed" });
  });

  it("is answered only while pending", () => {
    const request = newApprovalRequest("apr_1", cashbackSale(), ["cashback"], 1, ask, NOW);
    expect(decideAnswer(request)).toBeNull();
    expect(decideAnswer({ ...request, status: "superseded" })).toMatchObject({ code: "approval_request_closed", details: { status: "superseded" } });
  });
});

describe("an SMS code", () => {
  it("is sent at most once in 20 s and 10 times an hour, each refusal saying when to try again", () => {
    expect(decideIssue([], null, NOW)).toBeNull();
    expect(decideIssue([NOW - 5000], NOW - 5000, NOW)).toMatchObject({ code: "rate_limited", details: { retry_after: 15 } });
    const tenSends = Array.from({ length: 10 }, (_, i) => NOW - 3_000_000 + i * 60_000);
    expect(decideIssue(tenSends, NOW - 60_000, NOW)).toMatchObject({ code: "rate_limited", details: { retry_after: 600 } });
  });

  it("is verified once; a wrong one costs an attempt, the fifth exhausts it; it expires after 5 minutes", () => {
    const code = newCode("op_x", "hash", NOW);
    expect(decideVerify(code, true, NOW + 1000)).toEqual({ kind: "verified" });
    const wrong = decideVerify(code, false, NOW + 1000);
    expect(wrong).toMatchObject({ kind: "wrong", state: { attempts_left: 4 }, refusal: { code: "invalid_code", details: { attempts_left: 4 } } });
    expect(decideVerify({ ...code, attempts_left: 1 }, false, NOW)).toMatchObject({ kind: "wrong", refusal: { code: "code_attempts_exhausted" } });
    expect(decideVerify({ ...code, attempts_left: 0 }, true, NOW)).toMatchObject({ kind: "refuse", refusal: { code: "code_attempts_exhausted" } });
    expect(decideVerify(code, true, NOW + 5 * 60_000)).toMatchObject({ kind: "refuse", refusal: { code: "code_expired" } });
    expect(decideVerify(null, true, NOW)).toMatchObject({ kind: "refuse", refusal: { code: "code_not_sent" } });
  });
});

describe("a card's status", () => {
  const active = { number: "1111", status: "active" as const, block_reason: null, replaced_by: null, version: 3 };

  it("is blocked once: its pending operations cancelled, the event raised; blocked again, nothing changes", () => {
    expect(blocked(active, "lost", "mem_x", NOW)).toEqual({
      card: { ...active, status: "blocked", block_reason: "lost" },
      effects: [
        { kind: "cancel_pending", card: "1111" },
        { kind: "event", type: "card.blocked", created_at: "2026-11-22T10:00:00.000Z", data: { card: { number: "1111", member_id: "mem_x", status: "blocked", block_reason: "lost", replaced_by: null } } },
      ],
    });
    expect(blocked({ ...active, status: "blocked", block_reason: "lost" }, "stolen", "mem_x", NOW)).toEqual({ unchanged: true });
  });

  it("is unblocked only when blocked; a replaced card never is", () => {
    expect(unblocked({ ...active, status: "blocked", block_reason: "lost" })).toEqual({ card: active, effects: [] });
    expect(unblocked(active)).toEqual({ unchanged: true });
    expect(unblocked({ ...active, status: "replaced", replaced_by: "2222" })).toMatchObject({ refused: true, code: "card_replaced", details: { replaced_by: "2222" } });
  });

  it("is replaced by a fresh number once: the same again changes nothing, another or a taken number is refused", () => {
    expect(replaced(active, "2222", true)).toEqual({
      card: { ...active, status: "replaced", replaced_by: "2222" },
      effects: [{ kind: "cancel_pending", card: "1111" }, { kind: "add_card", number: "2222" }],
    });
    expect(replaced(active, "2222", false)).toMatchObject({ code: "card_number_taken" });
    const gone = { ...active, status: "replaced" as const, replaced_by: "2222" };
    expect(replaced(gone, "2222", false)).toEqual({ unchanged: true });
    expect(replaced(gone, "3333", true)).toMatchObject({ code: "card_replaced", details: { replaced_by: "2222" } });
  });
});

describe("a tenant's SMS budget", () => {
  const HOUR = Date.parse("2026-11-22T10:00:00Z");

  it("counts what is sent in the calendar hour; over it, refuses until the next hour and raises the alert once", () => {
    const first = decideSms(null, "sms_per_hour", 2, HOUR + 1000, true);
    expect(first).toEqual({ kind: "send", hour: { start: HOUR, sent: 1, alerted: false } });
    expect(decideSms(first.hour, "sms_per_hour", 2, HOUR + 2000, false)).toEqual({ kind: "send", hour: { start: HOUR, sent: 1, alerted: false } });
    const full = { start: HOUR, sent: 2, alerted: false };
    const over = decideSms(full, "sms_per_hour", 2, HOUR + 59 * 60_000, true);
    expect(over).toMatchObject({ kind: "refuse", hour: { sent: 2, alerted: true }, raiseAlert: true, refusal: { code: "rate_limited", details: { retry_after: 60, budget: "sms_per_hour" } } });
    expect(decideSms(over.hour, "sms_per_hour", 2, HOUR + 59 * 60_000 + 1, true)).toMatchObject({ kind: "refuse", raiseAlert: false });
    expect(decideSms(over.hour, "sms_per_hour", 2, HOUR + 3600_000, true)).toEqual({ kind: "send", hour: { start: HOUR + 3600_000, sent: 1, alerted: false } });
  });

  it("gives a refused SMS's place back only within the hour it was counted in", () => {
    const hour = { start: HOUR, sent: 2, alerted: false };
    expect(giveBack(hour, HOUR + 10)).toEqual({ ...hour, sent: 1 });
    expect(giveBack(hour, HOUR - 10)).toBe(hour);
    expect(giveBack({ ...hour, sent: 0 }, HOUR)).toEqual({ ...hour, sent: 0 });
  });
});

describe("an alert's steps", () => {
  it("open → acknowledged → resolved; a step taken again changes nothing; nothing moves a resolved alert", () => {
    expect(decideAlertStep("open", "acknowledge")).toEqual({ kind: "move", to: "acknowledged" });
    expect(decideAlertStep("acknowledged", "acknowledge")).toEqual({ kind: "unchanged" });
    expect(decideAlertStep("open", "resolve")).toEqual({ kind: "move", to: "resolved" });
    expect(decideAlertStep("resolved", "resolve")).toEqual({ kind: "unchanged" });
    expect(decideAlertStep("resolved", "acknowledge")).toMatchObject({ kind: "refuse", refusal: { code: "alert_resolved" } });
  });
});
