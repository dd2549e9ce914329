/** Refunds never give back more than the purchase took, whatever order they are created, confirmed and cancelled in. */
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account, api, inAccount, balances, drainOutbox, createOperation, createShop, expectError, expectInvariants, topUp, type Shop } from "./helpers";

async function purchase(shop: Shop, total: number, credit: number) {
  const created = await createOperation(shop, {
    type: "purchase",
    card: shop.card,
    cheque: { number: "R-1", total },
    payments: [{ method: "credit", amount: credit }],
  });
  expect(created.status).toBe(201);
  expect((await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal })).status).toBe(200);
  return created.body.id as string;
}

const refund = (shop: Shop, original: string, amount: number) => createOperation(shop, { type: "refund", original_operation_id: original, amount });
const confirm = (shop: Shop, id: string) => api("POST", `/v1/operations/${id}/confirm`, { token: shop.terminal });
const cancel = (shop: Shop, id: string) => api("POST", `/v1/operations/${id}/cancel`, { token: shop.terminal });

/** The credit the member got back from refunds, from the journal. */
async function refundedCredit(shop: Shop): Promise<number> {
  const audit = await account(shop).audit();
  return audit.journal.filter((e) => e.kind === "refund" && e.method === "credit").reduce((sum, e) => sum + e.amount, 0);
}

describe("refunds", () => {
  it("20.00 with 0.01 paid in credit: refund 19, refund and confirm 1, cancel the first, repeat — 0.01 comes back, once", async () => {
    const shop = await createShop();
    await topUp(shop, 100);
    const original = await purchase(shop, 2000, 1);
    const seen: number[] = [];
    for (let round = 0; round < 5; round++) {
      const first = await refund(shop, original, 1900);
      expect(first.status).toBe(201);
      // 19.00 of 20.00 is never worth the one cent of credit: the old rule paid it out again after each cancel.
      expect(first.body.payments).toEqual([]);
      const second = await refund(shop, original, 100);
      seen.push(second.status);
      if (second.status === 201) expect((await confirm(shop, second.body.id)).status).toBe(200);
      else expectError(second, 422, "refund_exceeds_remaining");
      expect((await cancel(shop, first.body.id)).status).toBe(200);
    }
    // Only the first round's refund of 1.00 fits; what is left (19.00) carries no credit any more.
    expect(seen).toEqual([201, 422, 422, 422, 422]);
    const last = await refund(shop, original, 1900);
    expect(last.status).toBe(201);
    expect(last.body.payments).toEqual([]);
    expect((await confirm(shop, last.body.id)).status).toBe(200);
    expect(await refundedCredit(shop)).toBe(1);
    expect((await balances(shop)).credit).toEqual({ balance: 100, available: 100 });
    expectError(await refund(shop, original, 1), 422, "refund_exceeds_remaining");
    await expectInvariants(shop);
  });

  it("an expired refund frees exactly its own claim, and the later refunds still add up to what was paid", async () => {
    const shop = await createShop();
    await topUp(shop, 10_000);
    const original = await purchase(shop, 2000, 99);
    const pending = await refund(shop, original, 1900);
    expect(pending.body.payments).toEqual([{ method: "credit", amount: 94 }]);
    const small = await refund(shop, original, 100);
    expect(small.body.payments).toEqual([{ method: "credit", amount: 5 }]);
    expect((await confirm(shop, small.body.id)).status).toBe(200);
    // The pending refund of 19.00 runs out (the hold TTL) and gives its claim back.
    await account(shop).summary({ tenant_id: shop.tenantId, member_id: shop.memberId }, Date.now() + 901_000);
    const status = await api("GET", `/v1/operations/${pending.body.id}`, { token: shop.terminal });
    expect(status.body.status).toBe("expired");
    const rest = await refund(shop, original, 1900);
    expect(rest.body.payments).toEqual([{ method: "credit", amount: 94 }]);
    expect((await confirm(shop, rest.body.id)).status).toBe(200);
    expect(await refundedCredit(shop)).toBe(99);
    expect((await balances(shop)).credit.balance).toBe(10_000);
    await expectInvariants(shop);
  });

  it("a lifetime cap on credit deducted: the refund dance gives the counter back no more than was counted", async () => {
    const shop = await createShop();
    await topUp(shop, 10_000);
    const cap = await api("POST", "/v1/limits", {
      token: shop.secret,
      body: { scope: "card", metric: "deducted_amount", method: "credit", period: "lifetime", hard: 100 },
    });
    expect(cap.status).toBe(201);
    await purchase(shop, 100, 1);
    const original = await purchase(shop, 2000, 99);
    const first = await refund(shop, original, 1900);
    const second = await refund(shop, original, 100);
    expect((await confirm(shop, second.body.id)).status).toBe(200);
    expect((await cancel(shop, first.body.id)).status).toBe(200);
    const rest = await refund(shop, original, 1900);
    expect((await confirm(shop, rest.body.id)).status).toBe(200);
    // 1 + 99 deducted, 99 given back: 1 counted, so 99 more fit and 100 do not.
    const over = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "R-2", total: 100 }, payments: [{ method: "credit", amount: 100 }] });
    expectError(over, 422, "limit_exceeded");
    expect(over.body.error.details).toMatchObject({ bound: 100, current: 1, attempted: 100 });
    const fits = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "R-3", total: 99 }, payments: [{ method: "credit", amount: 99 }] });
    expect(fits.status).toBe(201);
    await expectInvariants(shop);
  });

  it("a purchase refunded before tallies existed gets its tally from its refunds' records", async () => {
    const shop = await createShop();
    await topUp(shop, 10_000);
    const original = await purchase(shop, 2000, 99);
    const pending = await refund(shop, original, 1900);
    const small = await refund(shop, original, 100);
    expect((await confirm(shop, small.body.id)).status).toBe(200);
    // As stored before this version: the purchase's record knows only the claimed cheque amount.
    await inAccount(shop, (_instance, state) => {
      state.storage.sql.exec("UPDATE operations SET record = json_remove(record, '$.refund_tally') WHERE id = ?", original);
    });
    await evictDurableObject(account(shop));
    expect((await cancel(shop, pending.body.id)).status).toBe(200);
    const rest = await refund(shop, original, 1900);
    expect(rest.body.payments).toEqual([{ method: "credit", amount: 94 }]);
    expect((await confirm(shop, rest.body.id)).status).toBe(200);
    expect(await refundedCredit(shop)).toBe(99);
    await expectInvariants(shop);
  });

  for (const scope of ["card", "store"] as const) {
    it(`a ${scope} cap on points accrued: a refund that could take back none of them (spent) gives the counter back none`, async () => {
      const shop = await createShop();
      await topUp(shop, 20_000);
      const cap = await api("POST", "/v1/limits", {
        token: shop.secret,
        body: { scope, metric: "accrued_amount", method: "points", period: "lifetime", hard: 100 },
      });
      expect(cap.status).toBe(201);
      const earn = (total: number, number: string) =>
        createOperation(shop, { type: "purchase", card: shop.card, cheque: { number, total }, payments: [{ method: "credit", amount: total }], accrue_points: true });
      const first = await earn(10_000, "E-1");
      expect(first.body.accrual).toEqual({ points: 100 });
      expect((await confirm(shop, first.body.id)).status).toBe(200);
      // The member spends the 100 points; the purchase is then refunded whole, and nothing is left to take back.
      const spend = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "E-2", total: 100 }, payments: [{ method: "points", amount: 100 }] });
      expect((await confirm(shop, spend.body.id)).status).toBe(200);
      const back = await refund(shop, first.body.id, 10_000);
      expect(back.body.accrual).toEqual({ points: 0 });
      expect((await confirm(shop, back.body.id)).status).toBe(200);
      // The StoreDO hears of the confirmed refund through the account's outbox.
      await drainOutbox(shop);
      // The 100 points stay accrued (and kept): the cap still stands.
      const more = await earn(100, "E-3");
      expectError(more, 422, "limit_exceeded");
      expect(more.body.error.details).toMatchObject({ scope, bound: 100, current: 100, attempted: 1 });
      await expectInvariants(shop);
    });
  }
});
