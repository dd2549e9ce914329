/** The pure rules of how an operation ends (settlement.ts), without any runtime: what each returns, effects and all. */
import { describe, expect, it } from "vitest";
import { emptyAmounts, planOperation, type AccountView, type NewOperation, type OperationPolicy } from "../src/accounts/ledger";
import type { OperationRecord } from "../src/accounts/operation";
import { claimRefund } from "../src/accounts/refund";
import { closed, confirmed } from "../src/accounts/settlement";
import { isRefusal } from "../src/lib/refusal";

const policy: OperationPolicy = { approval_required_for: [], points_per_currency_unit: 1, point_value: 1, hold_ttl_seconds: 900, minor_digits: 2, sms_confirm_points_deduction: false };
const NOW = Date.parse("2026-11-22T10:00:00Z");
const LATER = NOW + 60_000;
const view = (balances: Partial<Record<"credit" | "cashback" | "points", number>>): AccountView => ({
  balances: { ...emptyAmounts(), ...balances },
  held: emptyAmounts(),
  incoming: emptyAmounts(),
  cardStatus: () => "active",
});

function plan(id: string, request: NewOperation["request"], account: AccountView, original: OperationRecord | null = null): OperationRecord {
  const result = planOperation({ id, member_id: "mem_x", store_id: "sto_x", register_id: "reg_x", request, policy, now: NOW }, account, original);
  if (isRefusal(result)) throw new Error(`refused: ${result.code}`);
  return result;
}

const sale = () => plan("op_sale", { type: "purchase", card: "1111", cheque: { number: "A-1", total: 4700 }, payments: [{ method: "credit", amount: 4000 }], accrue_points: true }, view({ credit: 5000 }));
let seq = 0;
const entryId = () => `ent_${++seq}`;

describe("confirmed", () => {
  it("posts the accrual, then the payment, with running balances; the operation says confirmed; the event carries it", () => {
    seq = 0;
    const record = { ...sale(), counted: true, store_reserved: true };
    const before = structuredClone(record);
    const settled = confirmed({ record, original: null }, { balances: { credit: 5000, cashback: 0, points: 3 }, nextSeq: 8 }, [], LATER, entryId);
    expect(record).toEqual(before);
    expect(settled.entries.map((e) => [e.seq, e.id, e.kind, e.method, e.amount, e.balance_after])).toEqual([
      [8, "ent_1", "accrual", "points", 47, 50],
      [9, "ent_2", "payment", "credit", -4000, 1000],
    ]);
    expect(settled.balances).toEqual({ credit: 1000, cashback: 0, points: 50 });
    expect(settled.record.operation).toMatchObject({ status: "confirmed", confirmed_at: "2026-11-22T10:01:00.000Z", updated_at: "2026-11-22T10:01:00.000Z" });
    expect(settled.effects).toEqual([
      { kind: "counters", action: "commit", operation_id: "op_sale" },
      { kind: "event", id: "evt_sale", type: "operation.confirmed", created_at: "2026-11-22T10:01:00.000Z", data: { operation: settled.record.operation } },
      { kind: "store", store_id: "sto_x", message: { action: "commit", operation_id: "op_sale" } },
    ]);
  });

  it("a refund gives back its credits, takes back points, and gives the original's counters their share", () => {
    seq = 0;
    const original = { ...sale(), store_reserved: true };
    original.operation.status = "confirmed";
    const refund = plan("op_back", { type: "refund", original_operation_id: "op_sale", amount: 2350 }, view({ points: 47 }), original);
    claimRefund(original, refund);
    const counted = [{ limit_id: "lim_1", subject: "1111", window: "2026-11-22", amount: 4000, basis: "count" as const }];
    const settled = confirmed({ record: refund, original }, { balances: { credit: 1000, cashback: 0, points: 47 }, nextSeq: 1 }, counted, LATER, entryId);
    expect(settled.entries.map((e) => [e.kind, e.method, e.amount])).toEqual([["refund", "credit", 2000], ["accrual_reversal", "points", -23]]);
    expect(settled.balances).toEqual({ credit: 3000, cashback: 0, points: 24 });
    expect(settled.original!.refund_tally).toEqual({ given: { credit: 2000 }, taken: 23, confirmed: 2350 });
    expect(original.refund_tally!.confirmed).toBe(0);
    expect(settled.effects.filter((e) => e.kind !== "event")).toEqual([
      { kind: "counters", action: "give_back", changes: [{ ...counted[0], amount: 2000 }] },
      {
        kind: "store",
        store_id: "sto_x",
        message: { action: "refund", operation_id: "op_back", original_id: "op_sale", total: 4700, before: 0, after: 2350, credits: { credit: 2000 }, take_back: 23 },
      },
    ]);
  });
});

describe("closed", () => {
  it("a cancel releases: no entries, no balance moves, counts and the store's reservation released, the request closed", () => {
    const record = { ...sale(), counted: true, store_reserved: true };
    const settled = closed({ record, original: null }, "cancelled", LATER);
    expect(record.operation.status).toBe("pending");
    expect(settled).toMatchObject({ entries: [], balances: null, original: null });
    expect(settled.record.operation).toMatchObject({ status: "cancelled", cancelled_at: "2026-11-22T10:01:00.000Z" });
    expect(settled.effects.map((e) => (e.kind === "event" ? [e.kind, e.id, e.type] : e.kind === "store" ? [e.kind, e.message.action] : [e.kind, "action" in e ? e.action : e.status]))).toEqual([
      ["event", "evt_sale_cancelled", "operation.cancelled"],
      ["counters", "release"],
      ["store", "release"],
      ["close_request", "cancelled"],
    ]);
  });

  it("an expired refund frees exactly its claim on the original, and asks nothing of counters or stores it never used", () => {
    const original = sale();
    original.operation.status = "confirmed";
    const refund = plan("op_back", { type: "refund", original_operation_id: "op_sale", amount: 1000 }, view({ points: 47 }), original);
    claimRefund(original, refund);
    expect(original.refunded).toBe(1000);
    const settled = closed({ record: refund, original }, "expired", LATER);
    expect(settled.original).toMatchObject({ refunded: 0, refund_tally: { given: {}, taken: 0, confirmed: 0 } });
    expect(settled.effects.map((e) => e.kind)).toEqual(["event", "close_request"]);
    expect(settled.effects[0]).toMatchObject({ id: "evt_back_expired", type: "operation.expired" });
  });
});
