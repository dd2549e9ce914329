/** Exact integers only: no balance, accrual, points value or counter passes 2^53−1; such an operation changes nothing. */
import { describe, expect, it } from "vitest";
import { api, balances, type Reply, createOperation, createShop, expectError, expectInvariants, topUp, type Shop } from "./helpers";

const MAX = Number.MAX_SAFE_INTEGER;

const topUpBody = (shop: Shop, amount: number) => ({ type: "top_up", card: shop.card, method: "credit", amount });

function expectOutOfRange(reply: Reply, method: string) {
  expectError(reply, 422, "balance_out_of_range");
  expect(reply.body.error.details).toEqual({ method, limit: MAX });
}

describe("the number range", () => {
  it("a balance of 2^53−1 takes no more credit: two top-ups of 2^53−1 and four of 1 leave 2^53−1, equal to its history", async () => {
    const shop = await createShop();
    await topUp(shop, MAX);
    expectOutOfRange(await createOperation(shop, topUpBody(shop, MAX)), "credit");
    for (let i = 0; i < 4; i++) expectOutOfRange(await createOperation(shop, topUpBody(shop, 1)), "credit");
    expect((await balances(shop)).credit).toEqual({ balance: MAX, available: MAX });
    await expectInvariants(shop);
  });

  it("pending credits count: two pending top-ups that would reach past 2^53−1 together are not both accepted", async () => {
    const shop = await createShop();
    const first = await createOperation(shop, topUpBody(shop, MAX - 1));
    expect(first.status).toBe(201);
    expect((await createOperation(shop, topUpBody(shop, 1))).status).toBe(201);
    expectOutOfRange(await createOperation(shop, topUpBody(shop, 1)), "credit");
    // Cancelling one pending top-up frees its room.
    expect((await api("POST", `/v1/operations/${first.body.id}/cancel`, { token: shop.terminal })).status).toBe(200);
    expect((await createOperation(shop, topUpBody(shop, 1))).status).toBe(201);
    await expectInvariants(shop);
  });

  it("a cheque of 2^53−1 at 10,000 points per unit would accrue an unsafe integer: refused, nothing held", async () => {
    const shop = await createShop();
    expect((await api("PATCH", "/v1/settings", { token: shop.secret, body: { points_per_currency_unit: 10_000 } })).status).toBe(200);
    await topUp(shop, 500);
    const cheque = { type: "purchase", card: shop.card, cheque: { number: "BIG", total: MAX }, payments: [{ method: "credit", amount: 500 }], accrue_points: true };
    expectOutOfRange(await createOperation(shop, cheque), "points");
    expect((await balances(shop)).credit).toEqual({ balance: 500, available: 500 });
    // The largest cheque whose accrual stays exact goes through, and accrues exactly.
    const fits = await createOperation(shop, { ...cheque, cheque: { number: "FIT", total: Math.floor(MAX / 100) } });
    expect(fits.status).toBe(201);
    expect(fits.body.accrual).toEqual({ points: Math.floor(MAX / 100) * 100 });
  });

  it("a points payment worth more than 2^53−1 minor units is refused", async () => {
    const shop = await createShop();
    expect((await api("PATCH", "/v1/settings", { token: shop.secret, body: { point_value: 1_000_000 } })).status).toBe(200);
    const body = { type: "purchase", card: shop.card, cheque: { number: "P", total: MAX }, payments: [{ method: "points", amount: Math.floor(MAX / 1000) }] };
    expectOutOfRange(await createOperation(shop, body), "points");
  });

  it("a limit counter never passes 2^53−1: the second lifetime deduction of 2^53−1 is refused", async () => {
    const shop = await createShop();
    const cap = await api("POST", "/v1/limits", {
      token: shop.secret,
      body: { scope: "card", metric: "deducted_amount", method: "credit", period: "lifetime", hard: MAX },
    });
    expect(cap.status).toBe(201);
    const spend = async (amount: number) =>
      createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "S", total: amount }, payments: [{ method: "credit", amount }] });
    await topUp(shop, MAX);
    const first = await spend(MAX);
    expect(first.status).toBe(201);
    expect((await api("POST", `/v1/operations/${first.body.id}/confirm`, { token: shop.terminal })).status).toBe(200);
    await topUp(shop, 1);
    expectOutOfRange(await spend(1), "credit");
    expect((await balances(shop)).credit).toEqual({ balance: 1, available: 1 });
    await expectInvariants(shop);
    // It is over the bound too: the security team hears of it.
    const alerts = await api("GET", "/v1/alerts", { token: shop.secret });
    expect(alerts.body.data.map((a: { type: string; bound: number; value: number }) => [a.type, a.bound, a.value])).toEqual([["limit.blocked", MAX, MAX]]);
  });
});
