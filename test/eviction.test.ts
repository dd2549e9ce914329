/** An evicted account comes back from storage alone: holds, pending operations and the journal survive. */
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account, api, balances, createOperation, createShop, expectInvariants, idemKey, topUp } from "./helpers";

describe("eviction", () => {
  it("a pending operation held before eviction confirms after it, and a retry of its key is still deduplicated", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const key = idemKey();
    const body = { type: "purchase", card: shop.card, cheque: { number: "E-1", total: 1200 }, payments: [{ method: "credit", amount: 1200 }] };
    const created = await createOperation(shop, body, key);
    await evictDurableObject(account(shop));
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 3800 });
    const retried = await createOperation(shop, body, key);
    expect(retried.body).toEqual(created.body);
    await evictDurableObject(account(shop));
    const confirmed = await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal });
    expect(confirmed.body.status).toBe("confirmed");
    expect((await balances(shop)).credit).toEqual({ balance: 3800, available: 3800 });
    await expectInvariants(shop);
  });
});
