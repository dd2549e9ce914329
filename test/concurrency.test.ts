/** Many tills at once against one account: the object serializes them, nothing is overdrawn or doubled. */
import { describe, expect, it } from "vitest";
import { api, balances, createOperation, createShop, expectInvariants, idemKey, topUp } from "./helpers";

const hold = (card: string) => ({
  type: "purchase",
  card,
  cheque: { number: "C-1", total: 1000 },
  payments: [{ method: "credit", amount: 1000 }],
});

describe("concurrent holds", () => {
  it("30 simultaneous holds of 10.00 against 103.00: exactly 10 accepted, 20 insufficient_funds, 3.00 left", async () => {
    const shop = await createShop();
    await topUp(shop, 10300);
    const replies = await Promise.all(Array.from({ length: 30 }, () => createOperation(shop, hold(shop.card))));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(20);
    expect(replies.filter((r) => r.status === 409).every((r) => r.body.error.code === "insufficient_funds")).toBe(true);
    expect((await balances(shop)).credit).toEqual({ balance: 10300, available: 300 });

    const accepted = replies.filter((r) => r.status === 201);
    const confirms = await Promise.all(accepted.map((r) => api("POST", `/v1/operations/${r.body.id}/confirm`, { token: shop.terminal })));
    expect(confirms.every((r) => r.status === 200 && r.body.status === "confirmed")).toBe(true);
    expect((await balances(shop)).credit).toEqual({ balance: 300, available: 300 });
    await expectInvariants(shop);
  });

  it("confirm and cancel racing on one operation: exactly one wins", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const created = await createOperation(shop, hold(shop.card));
    const [confirm, cancel] = await Promise.all([
      api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal }),
      api("POST", `/v1/operations/${created.body.id}/cancel`, { token: shop.terminal }),
    ]);
    const outcomes = [confirm.status === 200 ? "confirmed" : "refused", cancel.status === 200 ? "cancelled" : "refused"];
    expect(outcomes.filter((o) => o !== "refused")).toHaveLength(1);
    const credit = (await balances(shop)).credit;
    expect(credit).toEqual(confirm.status === 200 ? { balance: 4000, available: 4000 } : { balance: 5000, available: 5000 });
    await expectInvariants(shop);
  });

  it("20 concurrent confirms of one operation post its journal entries once", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const created = await createOperation(shop, { ...hold(shop.card), accrue_points: true });
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal })),
    );
    expect(replies.every((r) => r.status === 200 && r.body.status === "confirmed")).toBe(true);
    const audit = await expectInvariants(shop);
    expect(audit.journal.filter((e) => e.operation_id === created.body.id)).toHaveLength(2);
    expect(audit.balances).toEqual({ credit: 4000, cashback: 0, points: 10 });
  });

  it("30 concurrent repeats of one Idempotency-Key create one operation and one hold", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const key = idemKey();
    const replies = await Promise.all(Array.from({ length: 30 }, () => createOperation(shop, hold(shop.card), key)));
    expect(new Set(replies.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 4000 });
    await expectInvariants(shop);
  });
});
