/** The audit log in a merchant's words: field names, amounts in the currency, a limit as its sentence. */
import { describe, expect, it } from "vitest";
import { changesOf } from "../src/pages/console/audit-words";

const context = { currency: "USD", timeZone: "Australia/Sydney", places: new Map([["sto_1", "King St"]]), people: new Map([["stf_1", "sam@cafe.example"]]) };

describe("changesOf", () => {
  it("says what changed in settings, with methods named", () => {
    const before = { name: "Cafe", approval_required_for: [], hold_ttl_seconds: 900, sms: false };
    const after = { name: "Cafe", approval_required_for: ["credit", "cashback"], hold_ttl_seconds: 600, sms: true };
    expect(changesOf("settings.changed", before, after, context)).toEqual([
      "Member approval needed for: none → customer credit, cashback",
      "Holds last (seconds): 900 → 600",
      "Sms: no → yes",
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
