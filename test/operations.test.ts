/** Two-phase operations through the HTTP API, with the invariants checked after each test. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { account, api, balances, createOperation, createShop, expectError, expectInvariants, topUp, uniqueCard } from "./helpers";

const purchase = (card: string, total: number, payments: { method: string; amount: number }[], accrue = true) => ({
  type: "purchase",
  card,
  cheque: { number: "A-1001", total },
  payments,
  accrue_points: accrue,
});

describe("purchase", () => {
  it("holds on create, posts on confirm, and answers the API.md shape", async () => {
    const shop = await createShop();
    await topUp(shop, 15000);
    const created = await createOperation(shop, purchase(shop.card, 4700, [{ method: "credit", amount: 4700 }]));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      type: "purchase",
      status: "pending",
      card: shop.card,
      member_id: shop.memberId,
      store_id: shop.storeId,
      register_id: shop.registerId,
      cheque: { number: "A-1001", total: 4700 },
      payments: [{ method: "credit", amount: 4700 }],
      accrual: { points: 47 },
      authorization: { method: "none", status: "not_required" },
    });
    expect(created.body.id).toMatch(/^op_[0-9a-z]{32}$/);
    expect(Date.parse(created.body.expires_at) - Date.parse(created.body.created_at)).toBe(900_000);
    expect((await balances(shop)).credit).toEqual({ balance: 15000, available: 10300 });

    const read = await api("GET", `/v1/operations/${created.body.id}`, { token: shop.terminal });
    expect(read.body).toEqual(created.body);

    const confirmed = await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("confirmed");
    const again = await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(confirmed.body);
    expect(await balances(shop)).toEqual({
      credit: { balance: 10300, available: 10300 },
      cashback: { balance: 0, available: 0 },
      points: { balance: 47, available: 47 },
    });
    const audit = await expectInvariants(shop);
    expect(audit.journal.filter((e) => e.operation_id === created.body.id).map((e) => [e.kind, e.method, e.amount])).toEqual([
      ["accrual", "points", 47],
      ["payment", "credit", -4700],
    ]);
  });

  it("pays with points worth point_value each and earns no points on them", async () => {
    const shop = await createShop();
    expect((await api("PATCH", "/v1/settings", { token: shop.secret, body: { point_value: 2, points_per_currency_unit: 2 } })).status).toBe(200);
    await topUp(shop, 1000, "points");
    const created = await createOperation(shop, purchase(shop.card, 5000, [{ method: "points", amount: 1000 }]));
    expect(created.status).toBe(201);
    // (5000 − 1000 points × 2) / 100 × 2 = 60 points
    expect(created.body.accrual).toEqual({ points: 60 });
    await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal });
    expect((await balances(shop)).points).toEqual({ balance: 60, available: 60 });
    await expectInvariants(shop);
  });

  it("refuses what API.md lists, and a refusal changes nothing", async () => {
    const shop = await createShop();
    await topUp(shop, 1000);
    expectError(await createOperation(shop, purchase(shop.card, 4700, [{ method: "credit", amount: 4700 }])), 409, "insufficient_funds");
    const refused = await createOperation(shop, purchase(shop.card, 4700, [{ method: "credit", amount: 4700 }]));
    expect(refused.body.error.details).toEqual({ method: "credit", available: 1000, requested: 4700 });
    expectError(await createOperation(shop, purchase(shop.card, 500, [{ method: "credit", amount: 600 }])), 400, "payments_exceed_total");
    expectError(await createOperation(shop, purchase(uniqueCard(), 500, [])), 404, "card_not_found");
    expect(await balances(shop)).toEqual({
      credit: { balance: 1000, available: 1000 },
      cashback: { balance: 0, available: 0 },
      points: { balance: 0, available: 0 },
    });
    await expectInvariants(shop);
  });

  it("needs approval before confirm when the method is in approval_required_for", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    await api("PATCH", "/v1/settings", { token: shop.secret, body: { approval_required_for: ["credit"] } });
    const created = await createOperation(shop, purchase(shop.card, 1000, [{ method: "credit", amount: 1000 }]));
    expect(created.body.authorization).toEqual({ method: "approval", status: "required" });
    expectError(await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal }), 409, "authorization_required");
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 4000 });
    await expectInvariants(shop);
  });

  it("asks for an SMS code when paying points at a store that requires it", async () => {
    const shop = await createShop({ sms: true });
    await topUp(shop, 500, "points");
    const created = await createOperation(shop, purchase(shop.card, 1000, [{ method: "points", amount: 200 }]));
    expect(created.body.authorization).toEqual({ method: "sms_code", status: "required" });
    expectError(await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal }), 409, "authorization_required");
  });
});

describe("cancel and expiry", () => {
  it("cancel releases the hold, repeats the same answer, and a cancelled operation cannot be confirmed", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const created = await createOperation(shop, purchase(shop.card, 2000, [{ method: "credit", amount: 2000 }]));
    const cancelled = await api("POST", `/v1/operations/${created.body.id}/cancel`, { token: shop.terminal });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    const again = await api("POST", `/v1/operations/${created.body.id}/cancel`, { token: shop.terminal });
    expect(again.body).toEqual(cancelled.body);
    expectError(await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal }), 409, "operation_not_pending");
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 5000 });
    await expectInvariants(shop);
  });

  it("a confirmed operation cannot be cancelled", async () => {
    const shop = await createShop();
    const confirmed = await topUp(shop, 5000);
    expectError(await api("POST", `/v1/operations/${confirmed.id}/cancel`, { token: shop.terminal }), 409, "operation_not_pending");
  });

  it("expires at expires_at through the alarm and releases its holds", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    await api("PATCH", "/v1/settings", { token: shop.secret, body: { hold_ttl_seconds: 1 } });
    const created = await createOperation(shop, purchase(shop.card, 2000, [{ method: "credit", amount: 2000 }]));
    expect((await balances(shop)).credit.available).toBe(3000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // The alarm set for expires_at may already have fired by itself; if not, run it now. An earlier alarm (the top-up's
    // shipment) may still be waiting on the history writer, and sets the expiry alarm when it is done: try until then.
    // Storage is read directly (no request runs, so nothing but the alarm can have expired it).
    await vi.waitFor(async () => {
      await runDurableObjectAlarm(account(shop));
      const stored = await runInDurableObject(account(shop), (_instance, state) =>
        state.storage.sql.exec("SELECT status FROM operations WHERE id = ?", created.body.id).one(),
      );
      expect(stored.status).toBe("expired");
    }, { timeout: 5000 });
    expect((await account(shop).audit()).held).toEqual({ credit: 0, cashback: 0, points: 0 });
    const read = await api("GET", `/v1/operations/${created.body.id}`, { token: shop.terminal });
    expect(read.body.status).toBe("expired");
    expectError(await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal }), 409, "operation_not_pending");
    const cancel = await api("POST", `/v1/operations/${created.body.id}/cancel`, { token: shop.terminal });
    expect({ status: cancel.status, state: cancel.body.status }).toEqual({ status: 200, state: "expired" });
    await expectInvariants(shop);
  });
});

describe("other operation types", () => {
  it("top-up, manual accrual and manual deduction move the named method", async () => {
    const shop = await createShop();
    await topUp(shop, 2500);
    await topUp(shop, 300, "cashback");
    const deduction = await createOperation(shop, { type: "manual_deduction", card: shop.card, method: "cashback", amount: 100, reason: "correction" });
    expect(deduction.status).toBe(201);
    expect(deduction.body).toMatchObject({ type: "manual_deduction", method: "cashback", amount: 100, reason: "correction", status: "pending" });
    expect((await balances(shop)).cashback).toEqual({ balance: 300, available: 200 });
    await api("POST", `/v1/operations/${deduction.body.id}/confirm`, { token: shop.terminal });
    expect(await balances(shop)).toEqual({
      credit: { balance: 2500, available: 2500 },
      cashback: { balance: 200, available: 200 },
      points: { balance: 0, available: 0 },
    });
    expectError(await createOperation(shop, { type: "manual_deduction", card: shop.card, method: "cashback", amount: 201, reason: "x" }), 409, "insufficient_funds");
    const audit = await expectInvariants(shop);
    expect(audit.journal.map((e) => [e.kind, e.method, e.amount, e.balance_after])).toEqual([
      ["top_up", "credit", 2500, 2500],
      ["manual_accrual", "cashback", 300, 300],
      ["manual_deduction", "cashback", -100, 200],
    ]);
  });

  it("top_up only buys credit", async () => {
    const shop = await createShop();
    expectError(await createOperation(shop, { type: "top_up", card: shop.card, method: "points", amount: 100 }), 400, "invalid_request");
  });
});

describe("refund", () => {
  it("gives back in proportion, takes back the accrual, never more than is left, also after the card was replaced", async () => {
    const shop = await createShop();
    await topUp(shop, 3000);
    await topUp(shop, 1000, "cashback");
    const sale = await createOperation(shop, purchase(shop.card, 4700, [{ method: "credit", amount: 3000 }, { method: "cashback", amount: 1000 }]));
    await api("POST", `/v1/operations/${sale.body.id}/confirm`, { token: shop.terminal });
    expect(await balances(shop)).toMatchObject({ credit: { balance: 0 }, cashback: { balance: 0 }, points: { balance: 47 } });

    const newCard = uniqueCard();
    const replaced = await api("POST", `/v1/cards/${shop.card}/replace`, { token: shop.secret, body: { new_number: newCard } });
    expect(replaced.status).toBe(200);

    const partial = await createOperation(shop, { type: "refund", original_operation_id: sale.body.id, amount: 1000 });
    expect(partial.status).toBe(201);
    expect(partial.body).toMatchObject({
      type: "refund",
      original_operation_id: sale.body.id,
      amount: 1000,
      payments: [{ method: "credit", amount: 638 }, { method: "cashback", amount: 212 }],
      accrual: { points: -10 },
      status: "pending",
    });
    expectError(await createOperation(shop, { type: "refund", original_operation_id: sale.body.id, amount: 3701 }), 422, "refund_exceeds_remaining");
    await api("POST", `/v1/operations/${partial.body.id}/confirm`, { token: shop.terminal });
    const rest = await createOperation(shop, { type: "refund", original_operation_id: sale.body.id, amount: 3700 });
    await api("POST", `/v1/operations/${rest.body.id}/confirm`, { token: shop.terminal });
    expect(await balances(shop)).toEqual({
      credit: { balance: 3000, available: 3000 },
      cashback: { balance: 1000, available: 1000 },
      points: { balance: 0, available: 0 },
    });
    expectError(await createOperation(shop, { type: "refund", original_operation_id: sale.body.id, amount: 1 }), 422, "refund_exceeds_remaining");
    await expectInvariants(shop);
  });

  it("a cancelled refund frees its share again; unknown originals are 404", async () => {
    const shop = await createShop();
    await topUp(shop, 1000);
    const sale = await createOperation(shop, purchase(shop.card, 1000, [{ method: "credit", amount: 1000 }], false));
    await api("POST", `/v1/operations/${sale.body.id}/confirm`, { token: shop.terminal });
    const refund = await createOperation(shop, { type: "refund", original_operation_id: sale.body.id, amount: 1000 });
    await api("POST", `/v1/operations/${refund.body.id}/cancel`, { token: shop.terminal });
    const again = await createOperation(shop, { type: "refund", original_operation_id: sale.body.id, amount: 1000 });
    expect(again.status).toBe(201);
    expectError(await createOperation(shop, { type: "refund", original_operation_id: "op_nope", amount: 1 }), 404, "operation_not_found");
    expectError(
      // An id of the same account that no operation has (its last character changed).
      await createOperation(shop, { type: "refund", original_operation_id: `${sale.body.id.slice(0, -1)}${sale.body.id.endsWith("0") ? "1" : "0"}`, amount: 1 }),
      404,
      "operation_not_found",
    );
  });

  it("a pending purchase cannot be refunded", async () => {
    const shop = await createShop();
    await topUp(shop, 1000);
    const sale = await createOperation(shop, purchase(shop.card, 1000, [{ method: "credit", amount: 1000 }]));
    expectError(await createOperation(shop, { type: "refund", original_operation_id: sale.body.id, amount: 100 }), 409, "operation_not_confirmed");
  });
});

describe("registers see their own operations", () => {
  it("another register of the same tenant gets 404", async () => {
    const shop = await createShop();
    const other = await api("POST", `/v1/stores/${shop.storeId}/registers`, { token: shop.secret, body: { name: "Till 2" } });
    await topUp(shop, 1000);
    const created = await createOperation(shop, purchase(shop.card, 1000, [{ method: "credit", amount: 1000 }]));
    for (const path of [`/v1/operations/${created.body.id}/confirm`, `/v1/operations/${created.body.id}/cancel`]) {
      expectError(await api("POST", path, { token: other.body.terminal_key }), 404, "operation_not_found");
    }
    expectError(await api("GET", `/v1/operations/${created.body.id}`, { token: other.body.terminal_key }), 404, "operation_not_found");
    expect((await api("GET", `/v1/operations/${created.body.id}`, { token: shop.secret })).body.status).toBe("pending");
  });
});
