/** A limit's counters as staff read them: the window in force, what is still held, the bound, nearest first. */
import { describe, expect, it } from "vitest";
import { windowBounds } from "../src/limits/counters-view";
import { limitSentence } from "../src/limits/limit-words";
import { api, createOperation, createShop, drainOutbox, expectError, ORIGIN, staffCookie, topUp, uniqueCard, type Shop } from "./helpers";

const DAY = 86_400_000;

async function newLimit(shop: Shop, body: object) {
  const reply = await api("POST", "/v1/limits", { token: shop.secret, body });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

const sale = (shop: Shop, card: string, total: number) =>
  createOperation(shop, { type: "purchase", card, cheque: { number: "K-1", total }, payments: [{ method: "credit", amount: total }] });

const counters = async (shop: Shop, limitId: string, query = "") => {
  const reply = await api("GET", `/v1/limits/${limitId}/counters${query}`, { token: shop.secret });
  expect(reply.status).toBe(200);
  return reply.body.data as { subject: string; window_start: string; window_end: string; value: number; pending: number; bound: number; alert_above: number | null }[];
};

describe("window bounds in the tenant's calendar", () => {
  it("days, weeks and months start at local midnight; the day clocks go forward has 23 hours", () => {
    expect(windowBounds("2026-12-01", "Australia/Sydney")).toEqual({ start: "2026-11-30T13:00:00.000Z", end: "2026-12-01T13:00:00.000Z" });
    const spring = windowBounds("2026-10-04", "Australia/Sydney");
    expect(spring).toEqual({ start: "2026-10-03T14:00:00.000Z", end: "2026-10-04T13:00:00.000Z" });
    expect(Date.parse(spring.end!) - Date.parse(spring.start!)).toBe(DAY - 3_600_000);
    expect(windowBounds("2026-W48", "UTC")).toEqual({ start: "2026-11-23T00:00:00.000Z", end: "2026-11-30T00:00:00.000Z" });
    expect(windowBounds("2026-12", "UTC")).toEqual({ start: "2026-12-01T00:00:00.000Z", end: "2027-01-01T00:00:00.000Z" });
    expect(windowBounds("lifetime", "UTC")).toEqual({ start: null, end: null });
    // Santiago skips midnight itself on 2025-09-07 (00:00 → 01:00): the day begins at 01:00 local, 04:00 UTC.
    expect(windowBounds("2025-09-07", "America/Santiago").start).toBe("2025-09-07T04:00:00.000Z");
  });
});

describe("GET /v1/limits/{id}/counters", () => {
  it("a card limit over every card: each active card's counter today, what is held, nearest the bound first", async () => {
    const shop = await createShop();
    await topUp(shop, 10_000);
    const second = await api("POST", "/v1/members", { token: shop.secret, body: { name: "Sam", phone: "+61400000002" } });
    const card2 = uniqueCard();
    await api("POST", `/v1/members/${second.body.id}/cards`, { token: shop.secret, body: { number: card2 } });
    await topUp({ ...shop, memberId: second.body.id, card: card2 }, 10_000);
    const limitId = await newLimit(shop, { scope: "card", scope_id: null, metric: "deducted_amount", method: "credit", period: "day", soft: { lower: 3000, upper: 5000 } });

    const held = await sale(shop, shop.card, 1000);
    expect(held.status).toBe(201);
    const big = await sale(shop, card2, 4000);
    expect((await api("POST", `/v1/operations/${big.body.id}/confirm`, { token: shop.terminal })).status).toBe(200);
    // The cards to ask are found in D1's history: both accounts' history has arrived.
    await drainOutbox(shop);
    await drainOutbox(shop, second.body.id);

    const all = await counters(shop, limitId);
    expect(all.map(({ subject, value, pending, bound, alert_above }) => ({ subject, value, pending, bound, alert_above }))).toEqual([
      { subject: card2, value: 4000, pending: 0, bound: 5000, alert_above: 3000 },
      { subject: shop.card, value: 1000, pending: 1000, bound: 5000, alert_above: 3000 },
    ]);
    expect(Date.parse(all[0].window_end) - Date.parse(all[0].window_start)).toBeGreaterThanOrEqual(DAY - 3_600_000);
    expect(all[0].window_start).toMatch(/T1[34]:00:00\.000Z$/); // midnight in Sydney
    expect(Date.parse(all[0].window_start)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(all[0].window_end)).toBeGreaterThan(Date.now());

    expect((await counters(shop, limitId, `?scope_id=${shop.card}`)).map((c) => [c.subject, c.value])).toEqual([[shop.card, 1000]]);
    // The hold cancelled: its count is given back.
    expect((await api("POST", `/v1/operations/${held.body.id}/cancel`, { token: shop.terminal })).status).toBe(200);
    expect((await counters(shop, limitId, `?scope_id=${shop.card}`)).map((c) => [c.value, c.pending])).toEqual([[0, 0]]);
  });

  it("a store limit: the store's counter from its StoreDO; per-card-per-store counters filter by per_id", async () => {
    const shop = await createShop();
    await topUp(shop, 10_000);
    const storeLimit = await newLimit(shop, { scope: "store", scope_id: null, metric: "purchase_count", period: "day", hard: 100 });
    const perStore = await newLimit(shop, { scope: "card", scope_id: null, per: "store", metric: "deducted_amount", method: "credit", period: "lifetime", hard: 9000 });
    expect((await sale(shop, shop.card, 700)).status).toBe(201);
    expect((await sale(shop, shop.card, 300)).status).toBe(201);
    // Which cards to ask is found in D1's history, once it has arrived; a card named by scope_id is asked at once.
    expect((await counters(shop, perStore, `?scope_id=${shop.card}`)).map((c) => c.value)).toEqual([1000]);
    await drainOutbox(shop);
    expect((await counters(shop, storeLimit)).map((c) => [c.subject, c.value, c.pending, c.bound])).toEqual([[shop.storeId, 2, 2, 100]]);
    const mine = await counters(shop, perStore, `?per_id=${shop.storeId}`);
    expect(mine.map((c) => [c.subject, c.value, c.pending, c.window_start])).toEqual([[`${shop.card}@${shop.storeId}`, 1000, 1000, null]]);
    expect(await counters(shop, perStore, "?per_id=sto_elsewhere")).toEqual([]);
  });

  it("an unknown limit is 404, another tenant's too; an unknown query field is 400; a terminal key is refused", async () => {
    const shop = await createShop();
    const limitId = await newLimit(shop, { scope: "card", scope_id: null, metric: "purchase_count", period: "day", hard: 5 });
    expectError(await api("GET", "/v1/limits/lim_0000000000000000/counters", { token: shop.secret }), 404, "limit_not_found");
    expectError(await api("GET", `/v1/limits/${limitId}/counters`, { token: (await createShop()).secret }), 404, "limit_not_found");
    expectError(await api("GET", `/v1/limits/${limitId}/counters?card=1`, { token: shop.secret }), 400, "invalid_request");
    expectError(await api("GET", `/v1/limits/${limitId}/counters`, { token: shop.terminal }), 403, "forbidden");
    expect(await counters(shop, limitId)).toEqual([]);
  });
});

describe("a limit in one sentence", () => {
  const names = { places: new Map([["reg_1", "King St — Front counter"]]) };
  const base = { scope: "card", scope_id: null, per: null, metric: "deducted_amount", method: "credit", period: "day", hard: null, soft: null } as const;
  it("says what a soft and a hard limit do, in the tenant's money, points and counts", () => {
    expect(limitSentence({ ...base, soft: { lower: 3000, upper: 5000 } }, "USD", names)).toBe(
      "A card may pay at most $50.00 with customer credit per day; above $30.00 the security team is alerted.",
    );
    expect(limitSentence({ ...base, method: "points", metric: "accrued_amount", period: "week", hard: 20000 }, "USD", names)).toBe(
      "A card may earn at most 20,000 points per week; a sale that would go above is refused.",
    );
    expect(limitSentence({ ...base, scope: "register", scope_id: "reg_1", metric: "purchase_count", method: null, period: "operation", hard: 3 }, "JPY", names)).toBe(
      "Register King St — Front counter may make at most 3 purchases in one sale; a sale that would go above is refused.",
    );
    expect(limitSentence({ ...base, per: "store", metric: "balance", hard: 100000 }, "EUR", names)).toBe("A card, at each store, may hold at most €1,000.00 of customer credit; a sale that would go above is refused.");
  });

  it("the console's preview answers the sentence, or what is missing", async () => {
    const shop = await createShop();
    const cookie = await staffCookie(shop, "manager");
    const preview = async (limit: unknown) => (await api("GET", `/console/limits/preview?limit=${encodeURIComponent(JSON.stringify(limit))}`, { headers: { cookie, origin: ORIGIN } })).body;
    expect(await preview({ scope: "card", metric: "deducted_amount", method: "cashback", period: "month", hard: 2500 })).toEqual({
      sentence: "A card may pay at most $25.00 with cashback per month; a sale that would go above is refused.",
      problem: null,
    });
    expect(await preview({ scope: "card", metric: "deducted_amount", method: "cashback", period: "month", soft: { lower: 50, upper: 10 } })).toEqual({ sentence: null, problem: "lower must be below upper" });
    expect((await api("GET", "/console/limits/preview?limit=%7B", { headers: { cookie } })).body.sentence).toBeNull();
    expect((await api("GET", "/console/limits/preview?limit=null")).status).toBe(401);
    const page = (await api("GET", "/console/limits", { headers: { cookie } })).body as string;
    expect(page).toContain('id="limit-form"');
    expect((await api("GET", "/console/limits", { headers: { cookie: await staffCookie(shop, "security") } })).body).not.toContain('id="limit-form"');
  });
});
