/** The audit log in a merchant's words: field names, amounts in the currency, a limit as its sentence. */
import { describe, expect, it } from "vitest";
import { changesOf } from "../src/pages/console/audit-words";
import { alertWords } from "../src/pages/console/console-alerts";
import type { AlertRow } from "../src/db/alerts";

const context = { currency: "USD", timeZone: "Australia/Sydney", places: new Map([["sto_1", "King St"]]), people: new Map([["stf_1", "sam@cafe.example"]]) };

describe("changesOf", () => {
  it("says what changed in settings, with methods named", () => {
    const before = { approval_required_for: [], points_per_currency_unit: 1, point_value: 1, hold_ttl_seconds: 900, sms_per_hour: 100 };
    const after = { approval_required_for: ["credit", "cashback"], points_per_currency_unit: 2, point_value: 5, hold_ttl_seconds: 90, sms_per_hour: 100 };
    expect(changesOf("settings.changed", before, after, context)).toEqual([
      "Member approval needed for: none → customer credit, cashback",
      "Points earned per $1.00: 1 → 2",
      "Value of a point: $0.01 → $0.05",
      "Holds last: 15 minutes → 90 seconds",
    ]);
    expect(changesOf("store.changed", { name: "King St", sms_confirm_points_deduction: false }, { name: "King St", sms_confirm_points_deduction: true }, context)).toEqual([
      "SMS code needed to pay with points: no → yes",
    ]);
  });

  it("a change by hand in the currency, at its store", () => {
    const after = { card: "6001", method: "credit", amount: 2500, reason: "goodwill", store_id: "sto_1", register_id: null };
    expect(changesOf("balance.manual_accrual", null, after, context)).toEqual(["Card: 6001", "Balance: customer credit", "Amount: $25.00", "Reason: goodwill", "Store: King St"]);
  });

  it("an alert resolved: by whom, when, with the note; a card's own number is the subject, not a change", () => {
    const before = { id: "alt_1", status: "acknowledged", resolved_at: null, resolved_by: null, note: null };
    const after = { id: "alt_1", status: "resolved", resolved_at: "2026-12-01T13:05:00.000Z", resolved_by: "stf_1", note: "receipt checked" };
    expect(changesOf("alert.resolved", before, after, context)).toEqual([
      "Status: acknowledged → resolved",
      "Resolved: none → 2 Dec 2026, 00:05",
      "Resolved by: none → sam@cafe.example",
      "Note: none → receipt checked",
    ]);
    expect(changesOf("card.blocked", null, { number: "6001", status: "blocked", block_reason: "lost", replaced_by: null }, context)).toEqual(["Status: blocked", "Reason: lost"]);
  });

  it("what was removed, and a limit as its sentence", () => {
    expect(changesOf("staff.removed", { id: "stf_1", email: "a@b.example", role: "security" }, null, context)).toEqual(["Email was a@b.example", "Role was security"]);
    const limit = { scope: "store", scope_id: "sto_1", per: null, metric: "deducted_amount", method: "credit", period: "day", hard: 50000, soft: null };
    expect(changesOf("limit.created", null, limit, context)).toEqual(["Store King St may pay at most $500.00 with customer credit per day; a sale that would go above is refused."]);
  });
});

describe("alertWords", () => {
  const context = { methods: new Map([["lim_1", "credit"]]), members: new Map([["6001000000000004", { id: "mem_4", name: "Test Member 4" }]]), places: new Map(), staff: new Map() };
  const row = { id: "alt_1", tenantId: "ten_1", limitId: "lim_1", scope: "card", scopeId: "6001000000000004", metric: "deducted_amount", period: "day", bound: 3000, value: 6100, operationId: "op_1", createdAt: "2026-12-07T00:00:00Z" } as unknown as AlertRow;

  it("a soft limit crossed by a hold says reached, counting what is held: never paid", () => {
    expect(alertWords({ ...row, type: "limit.soft_crossed" }, context, "AUD")).toEqual({
      title: "Soft limit crossed",
      sentence: "Card 6001000000000004 (Test Member 4) reached A$61.00 of customer credit spent that day, counting what is still held; the security team is told above A$30.00.",
    });
  });

  it("a refused sale says what it would have reached; counts are numbers, one or many", () => {
    expect(alertWords({ ...row, type: "limit.blocked", bound: 10000, value: 13000 }, context, "AUD").sentence).toBe(
      "Card 6001000000000004 (Test Member 4) would have reached A$130.00 of customer credit spent that day with this sale; the limit is A$100.00, so it was refused.",
    );
    expect(alertWords({ ...row, type: "limit.blocked", metric: "manual_accrued_amount", period: "operation", bound: 500, value: 900 }, context, "AUD").sentence).toBe(
      "Card 6001000000000004 (Test Member 4) would have reached A$9.00 of customer credit given by hand in one operation; the limit is A$5.00, so it was refused.",
    );
    const store = { ...row, scope: "store", scopeId: "sto_1", type: "limit.blocked", metric: "purchase_count", bound: 0, value: 1 } as unknown as AlertRow;
    expect(alertWords(store, { ...context, places: new Map([["sto_1", "King St"]]) }, "AUD").sentence).toBe(
      "Store King St would have reached 1 purchase that day with this sale; the limit is 0, so it was refused.",
    );
  });
});
