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
      // None of the 100 points can be taken back: their worth (100 × 1 cent) is kept from the money given back.
      expect(back.body).toMatchObject({ accrual: { points: 0, points_short: 100 }, deducted_for_points: 100, payments: [{ method: "credit", amount: 9_900 }] });
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

  describe("the points a purchase earned, already spent", () => {
    /** $100.00 paid with credit earns 500 points (5 a dollar), each worth 2 cents: 500 points pay $10.00 of goods. */
    async function earned(settings: Record<string, unknown> = {}) {
      const shop = await createShop();
      expect((await api("PATCH", "/v1/settings", { token: shop.secret, body: { points_per_currency_unit: 5, point_value: 2, ...settings } })).status).toBe(200);
      await topUp(shop, 10_000);
      const paid = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "P-1", total: 10_000 }, payments: [{ method: "credit", amount: 10_000 }], accrue_points: true });
      expect(paid.body.accrual).toEqual({ points: 500 });
      expect((await confirm(shop, paid.body.id)).status).toBe(200);
      return { shop, purchase: paid.body.id as string };
    }
    const spending = (shop: Shop, points: number) =>
      createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "P-2", total: points * 2 }, payments: [{ method: "points", amount: points }] });
    async function spend(shop: Shop, points: number) {
      const spent = await spending(shop, points);
      expect(spent.status).toBe(201);
      return spent;
    }
    const money = async (shop: Shop) => Object.fromEntries(Object.entries(await balances(shop)).map(([m, b]) => [m, b.balance]));

    it("all 500 spent on $10.00 of goods: a full refund gives back $90.00, takes back no points, and says why", async () => {
      const { shop, purchase } = await earned();
      expect((await confirm(shop, (await spend(shop, 500)).body.id)).status).toBe(200);
      const back = await refund(shop, purchase, 10_000);
      expect(back.status).toBe(201);
      expect(back.body).toMatchObject({ accrual: { points: 0, points_short: 500 }, deducted_for_points: 1_000, payments: [{ method: "credit", amount: 9_000 }] });
      expect((await confirm(shop, back.body.id)).status).toBe(200);
      expect(await money(shop)).toEqual({ credit: 9_000, cashback: 0, points: 0 });
      // Nothing is left to refund, and nothing more to give.
      expectError(await refund(shop, purchase, 1), 422, "refund_exceeds_remaining");
      await expectInvariants(shop);
    });

    it("200 of 500 spent, refunded in two halves: 250 points back, then 50 and $4.00 kept — $96.00 in all, as in one refund", async () => {
      const { shop, purchase } = await earned();
      expect((await confirm(shop, (await spend(shop, 200)).body.id)).status).toBe(200);
      const first = await refund(shop, purchase, 5_000);
      expect(first.body).toMatchObject({ accrual: { points: -250, points_short: 0 }, deducted_for_points: 0, payments: [{ method: "credit", amount: 5_000 }] });
      // A refund cancelled frees exactly its claim: made again, it is the same.
      const second = await refund(shop, purchase, 5_000);
      expect(second.body).toMatchObject({ accrual: { points: -50, points_short: 200 }, deducted_for_points: 400, payments: [{ method: "credit", amount: 4_600 }] });
      expect((await cancel(shop, second.body.id)).status).toBe(200);
      const again = await refund(shop, purchase, 5_000);
      expect(again.body).toMatchObject({ accrual: { points: -50, points_short: 200 }, deducted_for_points: 400, payments: [{ method: "credit", amount: 4_600 }] });
      for (const id of [first.body.id, again.body.id]) expect((await confirm(shop, id)).status).toBe(200);
      expect(await money(shop)).toEqual({ credit: 9_600, cashback: 0, points: 0 });
      await expectInvariants(shop);
    });

    it("a purchase paid in cash earns points that are spent: the refund tells the till to keep their worth from the cash", async () => {
      const shop = await createShop();
      expect((await api("PATCH", "/v1/settings", { token: shop.secret, body: { points_per_currency_unit: 5, point_value: 2 } })).status).toBe(200);
      const paid = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "C-1", total: 10_000 }, payments: [], accrue_points: true });
      expect((await confirm(shop, paid.body.id)).status).toBe(200);
      expect((await confirm(shop, (await spend(shop, 300)).body.id)).status).toBe(200);
      const half = await refund(shop, paid.body.id, 5_000);
      // 250 points due, 200 left: 200 back, and 50 points (1.00) for the till to keep from the 50.00 it pays back.
      expect(half.body).toMatchObject({ accrual: { points: -200, points_short: 50 }, deducted_for_points: 100, withhold_outside: 100, payments: [] });
      expect((await confirm(shop, half.body.id)).status).toBe(200);
      // Those 50 are settled: the other half owes only its own 250, none of which are left.
      const rest = await refund(shop, paid.body.id, 5_000);
      expect(rest.body).toMatchObject({ accrual: { points: 0, points_short: 250 }, deducted_for_points: 500, withhold_outside: 500, payments: [] });
      expect((await confirm(shop, rest.body.id)).status).toBe(200);
      expect(await money(shop)).toEqual({ credit: 0, cashback: 0, points: 0 });
      await expectInvariants(shop);
    });

    it("refund_when_points_spent: refuse — 422 refund_points_spent with points_short, and nothing changes", async () => {
      const { shop, purchase } = await earned({ refund_when_points_spent: "refuse" });
      expect((await confirm(shop, (await spend(shop, 120)).body.id)).status).toBe(200);
      const before = await money(shop);
      const refused = await refund(shop, purchase, 10_000);
      expectError(refused, 422, "refund_points_spent");
      expect(refused.body.error.details).toEqual({ points_short: 120 });
      expect(await money(shop)).toEqual(before);
      // A part whose points are all still there is refunded as ever: 200 of its 380 unspent points back.
      const part = await refund(shop, purchase, 4_000);
      expect(part.body).toMatchObject({ accrual: { points: -200, points_short: 0 }, deducted_for_points: 0, payments: [{ method: "credit", amount: 4_000 }] });
      await expectInvariants(shop);
    });

    it("a refund and a spend of the same points at once: either the points come back or their worth is kept, never both kept", async () => {
      for (let round = 0; round < 4; round++) {
        const { shop, purchase } = await earned();
        const [back, spent] = await Promise.all([refund(shop, purchase, 10_000), spending(shop, 500)]);
        expect(back.status).toBe(201);
        if (spent.status === 201) {
          // The spend held the points first: the refund kept their worth.
          expect(back.body).toMatchObject({ accrual: { points: 0, points_short: 500 }, deducted_for_points: 1_000 });
          expect((await confirm(shop, spent.body.id)).status).toBe(200);
        } else {
          expectError(spent, 409, "insufficient_funds");
          expect(back.body).toMatchObject({ accrual: { points: -500, points_short: 0 }, deducted_for_points: 0 });
        }
        expect((await confirm(shop, back.body.id)).status).toBe(200);
        // Credit back plus goods bought with the points is the $100.00 paid, exactly.
        const goods = spent.status === 201 ? 1_000 : 0;
        expect({ ...(await money(shop)), goods }).toEqual({ credit: 10_000 - goods, cashback: 0, points: 0, goods });
        await expectInvariants(shop);
      }
    });
  });
});
