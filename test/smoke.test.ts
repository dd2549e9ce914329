import { describe, expect, it } from "vitest";
import { api, balances, createOperation, createShop, expectInvariants, topUp } from "./helpers";

describe("smoke", () => {
  it("tops up, buys, confirms", async () => {
    const shop = await createShop();
    await topUp(shop, 15000);
    const purchase = await createOperation(shop, {
      type: "purchase",
      card: shop.card,
      cheque: { number: "A-1001", total: 4700 },
      payments: [{ method: "credit", amount: 4700 }],
      accrue_points: true,
    });
    expect(purchase.status).toBe(201);
    expect(purchase.body.accrual).toEqual({ points: 47 });
    expect(await balances(shop)).toEqual({
      credit: { balance: 15000, available: 10300 },
      cashback: { balance: 0, available: 0 },
      points: { balance: 0, available: 0 },
    });
    const confirmed = await api("POST", `/v1/operations/${purchase.body.id}/confirm`, { token: shop.terminal });
    expect(confirmed.body.status).toBe("confirmed");
    expect(await balances(shop)).toEqual({
      credit: { balance: 10300, available: 10300 },
      cashback: { balance: 0, available: 0 },
      points: { balance: 47, available: 47 },
    });
    await expectInvariants(shop);
  });
});
