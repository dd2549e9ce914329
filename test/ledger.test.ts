/** The pure ledger rules, without any runtime. */
import { refundShares } from "../src/accounts/refund";
import { describe, expect, it } from "vitest";
import {
  accrualPoints,
  emptyAmounts,
  planOperation,
  type AccountView,
  type NewOperation,
  type OperationPolicy,
} from "../src/accounts/ledger";
import type { CardStatus, Method, OperationRecord } from "../src/accounts/operation";
import { claimRefund, confirmRefund, freeRefund, mulDiv } from "../src/accounts/refund";
import { isRefusal } from "../src/lib/refusal";
import { decideCancel, decideConfirm, postings } from "../src/accounts/settlement";

const policy: OperationPolicy = {
  approval_required_for: [],
  points_per_currency_unit: 1,
  point_value: 1,
  hold_ttl_seconds: 900,
  minor_digits: 2,
  sms_confirm_points_deduction: false,
};

function view(balances: Partial<Record<Method, number>> = {}, held: Partial<Record<Method, number>> = {}, cards: Record<string, CardStatus> = { "1111": "active" }): AccountView {
  return {
    balances: { ...emptyAmounts(), ...balances },
    held: { ...emptyAmounts(), ...held },
    incoming: emptyAmounts(),
    cardStatus: (number) => cards[number],
  };
}

const NOW = Date.parse("2026-11-22T10:00:00Z");

function input(request: NewOperation["request"], overrides: Partial<OperationPolicy> = {}): NewOperation {
  return { id: "op_x", member_id: "mem_x", store_id: "sto_x", register_id: "reg_x", request, policy: { ...policy, ...overrides }, now: NOW };
}

const purchase = (payments: { method: Method; amount: number }[], total = 4700, accrue = true) =>
  input({ type: "purchase", card: "1111", cheque: { number: "A-1", total }, payments, accrue_points: accrue });

function plan(newOp: NewOperation, account = view({ credit: 15000, cashback: 15000, points: 1000 }), original: OperationRecord | null = null): OperationRecord {
  const result = planOperation(newOp, account, original);
  if (isRefusal(result)) throw new Error(`refused: ${result.code}`);
  return result;
}

describe("accrual", () => {
  it("earns floor(whole currency units × rate), and points paid do not earn points", () => {
    expect(accrualPoints(4700, 0, policy)).toBe(47);
    expect(accrualPoints(4799, 0, policy)).toBe(47);
    expect(accrualPoints(4700, 700, policy)).toBe(40);
    expect(accrualPoints(4700, 0, { ...policy, points_per_currency_unit: 3 })).toBe(141);
    expect(accrualPoints(4700, 0, { ...policy, minor_digits: 0 })).toBe(4700);
    expect(accrualPoints(500, 500, policy)).toBe(0);
  });

  it("a purchase holds its payments and credits its accrual only on confirm", () => {
    const record = plan(purchase([{ method: "credit", amount: 4000 }, { method: "points", amount: 700 }]));
    expect(record.holds).toEqual({ credit: 4000, points: 700 });
    expect(record.credits).toEqual({ points: 40 });
    expect(record.operation.status).toBe("pending");
    expect(record.operation.expires_at).toBe("2026-11-22T10:15:00.000Z");
    expect(record.operation.authorization).toEqual({ method: "none", status: "not_required" });
  });

  it("accrues nothing without accrue_points", () => {
    expect(plan(purchase([{ method: "credit", amount: 100 }], 4700, false)).operation.accrual).toEqual({ points: 0 });
  });
});

describe("refusals", () => {
  it("insufficient funds names the method and what is available", () => {
    const result = planOperation(purchase([{ method: "credit", amount: 4700 }]), view({ credit: 5000 }, { credit: 1000 }), null);
    expect(result).toMatchObject({ refused: true, code: "insufficient_funds", details: { method: "credit", available: 4000 } });
  });

  it("payments worth more than the cheque are refused; points count at point_value", () => {
    expect(planOperation(purchase([{ method: "credit", amount: 4701 }]), view({ credit: 9999 }), null)).toMatchObject({
      refused: true,
      code: "payments_exceed_total",
    });
    expect(
      planOperation(input({ type: "purchase", card: "1111", cheque: { number: "A", total: 1000 }, payments: [{ method: "points", amount: 600 }] }, { point_value: 2 }), view({ points: 9999 }), null),
    ).toMatchObject({ code: "payments_exceed_total" });
  });

  it("blocked, replaced and unknown cards", () => {
    const cards = { b: "blocked", r: "replaced" } as Record<string, CardStatus>;
    const topUp = (card: string) => input({ type: "top_up", card, method: "credit", amount: 100 });
    expect(planOperation(topUp("b"), view({}, {}, cards), null)).toMatchObject({ refused: true, code: "card_blocked" });
    expect(planOperation(topUp("r"), view({}, {}, cards), null)).toMatchObject({ refused: true, code: "card_blocked" });
    expect(planOperation(topUp("x"), view({}, {}, cards), null)).toMatchObject({ refused: true, code: "card_not_found" });
  });

  it("repeating a payment method is refused", () => {
    const result = planOperation(purchase([{ method: "credit", amount: 1 }, { method: "credit", amount: 2 }]), view({ credit: 100 }), null);
    expect(result).toMatchObject({ refused: true, code: "invalid_request" });
  });
});

describe("authorization", () => {
  it("asks for approval when a held method needs it, an SMS code for points at SMS stores", () => {
    expect(plan(purchase([{ method: "credit", amount: 100 }]), undefined).operation.authorization.method).toBe("none");
    const approval = plan(input(purchase([{ method: "credit", amount: 100 }]).request, { approval_required_for: ["credit"] }));
    expect(approval.operation.authorization).toEqual({ method: "approval", status: "required" });
    const sms = plan(input(purchase([{ method: "points", amount: 100 }]).request, { sms_confirm_points_deduction: true }));
    expect(sms.operation.authorization).toEqual({ method: "sms_code", status: "required" });
    const creditAtSmsStore = plan(input(purchase([{ method: "credit", amount: 100 }]).request, { sms_confirm_points_deduction: true }));
    expect(creditAtSmsStore.operation.authorization.method).toBe("none");
  });

  it("confirm waits for authorization; cancel and confirm are final", () => {
    const record = plan(input(purchase([{ method: "credit", amount: 100 }]).request, { approval_required_for: ["credit"] }));
    expect(decideConfirm(record.operation, NOW)).toMatchObject({ kind: "refuse", refusal: { code: "authorization_required" } });
    record.operation.authorization.status = "approved";
    expect(decideConfirm(record.operation, NOW)).toEqual({ kind: "post" });
    expect(decideConfirm(record.operation, NOW + 900_000)).toEqual({ kind: "expire" });
    record.operation.status = "confirmed";
    expect(decideConfirm(record.operation, NOW)).toEqual({ kind: "already_confirmed" });
    expect(decideCancel(record.operation)).toMatchObject({ kind: "refuse", refusal: { code: "operation_not_pending" } });
    record.operation.status = "cancelled";
    expect(decideCancel(record.operation)).toEqual({ kind: "already_closed" });
    expect(decideConfirm(record.operation, NOW)).toMatchObject({ kind: "refuse", refusal: { code: "operation_not_pending" } });
  });
});

describe("postings", () => {
  it("posts credits then debits with running balances", () => {
    const record = plan(purchase([{ method: "credit", amount: 4000 }, { method: "points", amount: 700 }]));
    let n = 0;
    const result = postings(record, { credit: 15000, cashback: 0, points: 1000 }, 5, () => `ent_${++n}`, NOW);
    expect(result.balances).toEqual({ credit: 11000, cashback: 0, points: 340 });
    expect(result.entries.map((e) => [e.seq, e.kind, e.method, e.amount, e.balance_after])).toEqual([
      [5, "accrual", "points", 40, 1040],
      [6, "payment", "credit", -4000, 11000],
      [7, "payment", "points", -700, 340],
    ]);
  });
});

describe("refunds", () => {
  function confirmedPurchase(): OperationRecord {
    const record = plan(purchase([{ method: "credit", amount: 3000 }, { method: "cashback", amount: 1000 }], 4700));
    record.operation.status = "confirmed";
    return record;
  }
  const refund = (amount: number) => input({ type: "refund", original_operation_id: "op_x", amount });

  it("gives back in proportion and the parts of several refunds add up exactly", () => {
    const original = confirmedPurchase();
    const account = view({ points: 47 });
    const first = plan(refund(1000), account, original);
    expect(first.credits).toEqual({ credit: 638, cashback: 212 });
    expect(first.holds).toEqual({ points: 10 });
    claimRefund(original, first);
    const second = plan(refund(3700), account, original);
    expect(second.credits).toEqual({ credit: 2362, cashback: 788 });
    expect(second.holds).toEqual({ points: 37 });
    claimRefund(original, second);
    expect(planOperation(refund(1), account, original)).toMatchObject({ refused: true, code: "refund_exceeds_remaining", details: { remaining: 0 } });
  });

  it("takes back no more points than are available, and refunds only confirmed purchases", () => {
    const original = confirmedPurchase();
    expect(plan(refund(4700), view({ points: 5 }), original).holds).toEqual({ points: 5 });
    original.operation.status = "pending";
    expect(planOperation(refund(100), view(), original)).toMatchObject({ refused: true, code: "operation_not_confirmed" });
    expect(planOperation(refund(100), view(), null)).toMatchObject({ refused: true, code: "operation_not_found" });
  });

  it("points earned and spent: kept from what is given back, points first, then credit, then cashback, whole points; the rest at the till", () => {
    const original = {
      operation: { cheque: { number: "K-1", total: 100 }, payments: [{ method: "points", amount: 4 }, { method: "credit", amount: 10 }, { method: "cashback", amount: 10 }] },
      credits: { points: 9 },
      refunded: 0,
    } as unknown as OperationRecord;
    // 9 points due, none left: 4 points kept point for point, then 5 points' worth (3 cents each) of money.
    expect(refundShares(original, 100, 0, 3)).toEqual({ credits: { cashback: 5 }, takeBack: 0, short: 9, kept: { points: 4, credit: 10, cashback: 5 }, outside: 0 });
    // 6 of them still there: those are taken back, and 3 points' worth is kept.
    expect(refundShares(original, 100, 6, 3)).toEqual({ credits: { credit: 10, cashback: 10, points: 1 }, takeBack: 6, short: 3, kept: { points: 3 }, outside: 0 });
    // Too little given back in Tillsafe to cover them: whole points' worth is kept, the rest (24) the till keeps from cash.
    const small = { ...original, operation: { ...original.operation, payments: [{ method: "credit", amount: 4 }] } } as OperationRecord;
    expect(refundShares(small, 100, 0, 3)).toEqual({ credits: { credit: 1 }, takeBack: 0, short: 9, kept: { credit: 3 }, outside: 24 });
  });

  it("a cancelled refund frees exactly its claim: 20.00 with 0.01 of credit gives back 0.01, never more", () => {
    const original = plan(purchase([{ method: "credit", amount: 1 }], 2000, false));
    original.operation.status = "confirmed";
    const account = view({ credit: 100 });
    const first = plan(refund(1900), account, original);
    expect(first.credits).toEqual({});
    claimRefund(original, first);
    const second = plan(refund(100), account, original);
    expect(second.credits).toEqual({ credit: 1 });
    claimRefund(original, second);
    expect(confirmRefund(original, second)).toEqual({ total: 2000, before: 0, after: 100 });
    freeRefund(original, first);
    expect(original.refunded).toBe(100);
    expect(original.refund_tally).toEqual({ given: { credit: 1 }, taken: 0, confirmed: 100 });
    // The 19.00 asked again: its share is what is left of the credit, which is nothing.
    const again = plan(refund(1900), account, original);
    expect(again.credits).toEqual({});
    claimRefund(original, again);
    expect(planOperation(refund(1), account, original)).toMatchObject({ refused: true, code: "refund_exceeds_remaining" });
  });

  it("computes shares of amounts near 2^53 exactly", () => {
    expect(mulDiv(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER - 1);
    expect(mulDiv(3, 2, 0)).toBe(0);
  });
});
