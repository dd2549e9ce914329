/** Limits and alerts: card, register and store counters at hold time, soft and hard bounds, alerts and webhooks. */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { answerOf } from "../src/lib/outcome";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { windowOf } from "../src/limits/calendar";
import { evaluateLimits, refundGiveBack, type Counter, type CounterChange } from "../src/limits/evaluate";
import type { Limit, OperationFacts } from "../src/limits/limit";

import { signatureHeader } from "../src/webhooks/signing";
import { account, api, balances, createOperation, createShop, drainObjectOutbox, drainOutbox, expectError, expectInvariants, shardOf, topUp, uniqueCard, type Shop } from "./helpers";
import { storeOf } from "../src/objects";

afterEach(() => vi.restoreAllMocks());

const limit = (overrides: Partial<Limit>): Limit => ({
  id: "lim_test",
  scope: "card",
  scope_id: null,
  per: null,
  metric: "purchase_count",
  method: null,
  period: "day",
  hard: 5,
  soft: null,
  created_at: "2026-01-01T00:00:00.000Z",
  ...overrides,
});
const facts = (overrides: Partial<OperationFacts> = {}): OperationFacts => ({
  id: "op_1",
  type: "purchase",
  card: "1111",
  register_id: "reg_a",
  store_id: "sto_a",
  holds: { credit: 500 },
  credits: { points: 5 },
  ...overrides,
});

async function newLimit(shop: Shop, body: object) {
  const reply = await api("POST", "/v1/limits", { token: shop.secret, body });
  expect(reply.status).toBe(201);
  return reply.body;
}

const sale = (shop: Shop, total = 1000, method = "credit", accrue = false, token = shop.terminal) =>
  createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "L-1", total }, payments: [{ method, amount: total }], accrue_points: accrue }, undefined, token);

async function alertsOf(shop: Shop) {
  await drainOutbox(shop);
  return (await api("GET", "/v1/alerts", { token: shop.secret })).body.data as any[];
}

describe("rules", () => {
  it("period windows follow the tenant's calendar", () => {
    const late = Date.parse("2026-11-22T12:59:00Z"); // 23:59 in Sydney (UTC+11)
    const early = Date.parse("2026-11-22T13:01:00Z"); // 00:01 the next day in Sydney
    expect(windowOf("day", late, "Australia/Sydney", "op")).toBe("2026-11-22");
    expect(windowOf("day", early, "Australia/Sydney", "op")).toBe("2026-11-23");
    expect(windowOf("day", early, "UTC", "op")).toBe("2026-11-22");
    expect(windowOf("week", Date.parse("2026-11-22T12:00:00Z"), "UTC", "op")).toBe("2026-W47"); // a Sunday
    expect(windowOf("week", Date.parse("2026-11-23T12:00:00Z"), "UTC", "op")).toBe("2026-W48"); // Monday
    expect(windowOf("week", Date.parse("2027-01-01T12:00:00Z"), "UTC", "op")).toBe("2026-W53");
    expect(windowOf("month", early, "Australia/Sydney", "op")).toBe("2026-11");
    expect(windowOf("lifetime", early, "UTC", "op")).toBe("lifetime");
    expect(windowOf("operation", early, "UTC", "op_9")).toBe("op:op_9");
  });

  it("hard bounds refuse with the details, soft bounds alert once then refuse above upper", () => {
    const counters = new Map<string, Counter>();
    const counter = (key: { limit_id: string; subject: string; window: string }) =>
      counters.get(`${key.subject}/${key.window}`) ?? { value: 0, soft_alerted: false };
    const now = Date.parse("2026-11-22T00:00:00Z");
    counters.set("1111/2026-11-22", { value: 5, soft_alerted: false });
    expect(evaluateLimits([limit({})], facts(), now, "UTC", counter).refusal).toEqual({
      limit_id: "lim_test",
      scope: "card",
      scope_id: "1111",
      metric: "purchase_count",
      period: "day",
      method: null,
      bound: 5,
      current: 5,
      attempted: 1,
    });
    const soft = limit({ hard: null, soft: { lower: 400, upper: 600 }, metric: "deducted_amount", method: "credit", period: "lifetime" });
    const crossing = evaluateLimits([soft], facts(), now, "UTC", counter);
    expect(crossing.refusal).toBeNull();
    expect(crossing.alerts).toEqual([expect.objectContaining({ type: "limit.soft_crossed", bound: 400, value: 500 })]);
    counters.set("1111/lifetime", { value: 500, soft_alerted: true });
    const quiet = evaluateLimits([soft], facts({ holds: { credit: 100 } }), now, "UTC", counter);
    expect([quiet.refusal, quiet.alerts]).toEqual([null, []]);
    const over = evaluateLimits([soft], facts({ holds: { credit: 101 } }), now, "UTC", counter);
    expect(over.refusal).toMatchObject({ bound: 600, current: 500, attempted: 101 });
    expect(over.alerts).toEqual([expect.objectContaining({ type: "limit.blocked", bound: 600, value: 601 })]);
  });

  it("limits look only at what they count, and only at their subject", () => {
    const counter = () => ({ value: 0, soft_alerted: false });
    const now = Date.now();
    const pointsPaid = limit({ metric: "deducted_amount", method: "points", period: "operation", hard: 100 });
    expect(evaluateLimits([pointsPaid], facts(), now, "UTC", counter).refusal).toBeNull();
    expect(evaluateLimits([pointsPaid], facts({ holds: { points: 101 } }), now, "UTC", counter).refusal).toMatchObject({ attempted: 101 });
    const otherCard = limit({ scope_id: "2222", hard: 0 });
    expect(evaluateLimits([otherCard], facts(), now, "UTC", counter).refusal).toBeNull();
    const perRegister = limit({ per: "register", hard: 0 });
    expect(evaluateLimits([perRegister], facts(), now, "UTC", counter).refusal).toMatchObject({ scope_id: "1111" });
    const maxBalance = limit({ metric: "balance", method: "credit", period: "lifetime", hard: 1000 });
    const topUp = facts({ type: "top_up", holds: {}, credits: { credit: 300 }, projectedBalance: { credit: 800, cashback: 0, points: 0 } });
    expect(evaluateLimits([maxBalance], topUp, now, "UTC", counter).refusal).toMatchObject({ current: 800, attempted: 300, bound: 1000 });
  });
});

describe("refund give-backs", () => {
  const row = (basis: CounterChange["basis"], amount: number): CounterChange => ({ limit_id: "lim_x", subject: "1111", window: "lifetime", amount, basis });

  it("amount counters move by the refund's own shares, counts and older reservations in proportion, never past what was counted", () => {
    const counted = [row("deducted:credit", 99), row("deducted:all", 120), row("accrued:points", 20), row("count", 1), row(null, 99), row("deducted:cashback", 7)];
    const refund = { total: 2000, before: 0, after: 100, credits: { credit: 5, points: 3 }, take_back: 2 };
    expect(refundGiveBack(counted, refund).map((c) => [c.basis, c.amount])).toEqual([
      ["deducted:credit", 5],
      ["deducted:all", 8],
      ["accrued:points", 2],
      [null, 4],
    ]);
    const whole = { total: 2000, before: 100, after: 2000, credits: { credit: 500 }, take_back: 0 };
    expect(refundGiveBack([row("deducted:credit", 99), row("count", 1)], whole).map((c) => c.amount)).toEqual([99, 1]);
  });

  it("a StoreDO whose reservations predate bases gets the column when it wakes", async () => {
    const shop = await createShop();
    const store = storeOf(env, { tenant_id: shop.tenantId, store_id: shop.storeId });
    await runInDurableObject(store, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE limit_reservations");
      sql.exec(`CREATE TABLE limit_reservations (operation_id TEXT NOT NULL, limit_id TEXT NOT NULL, subject TEXT NOT NULL, window TEXT NOT NULL,
        amount INTEGER NOT NULL, status TEXT NOT NULL, PRIMARY KEY (operation_id, limit_id, subject, window))`);
      sql.exec("INSERT INTO limit_reservations VALUES ('op_old', 'lim_x', 'reg_x', 'lifetime', 10, 'committed')");
      sql.exec("UPDATE schema_version SET version = 2");
    });
    await evictDurableObject(store);
    const rows = await runInDurableObject(store, (_instance, state) =>
      state.storage.sql.exec("SELECT operation_id, amount, basis FROM limit_reservations").toArray(),
    );
    expect(rows).toEqual([{ operation_id: "op_old", amount: 10, basis: null }]);
  });

  it("a StoreDO with alerts in the alert_outbox of old moves them into its outbox when it wakes, and they reach D1", async () => {
    const shop = await createShop();
    const store = storeOf(env, { tenant_id: shop.tenantId, store_id: shop.storeId });
    const alert = {
      id: `alt_old${Date.now()}`,
      type: "limit.soft_crossed",
      limit_id: "lim_old",
      scope: "store",
      scope_id: shop.storeId,
      metric: "purchase_count",
      period: "day",
      bound: 2,
      value: 3,
      operation_id: "op_old",
      created_at: new Date().toISOString(),
    };
    await runInDurableObject(store, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE outbox");
      sql.exec("CREATE TABLE alert_outbox (id TEXT PRIMARY KEY, payload TEXT NOT NULL)");
      sql.exec("INSERT INTO alert_outbox (id, payload) VALUES (?, ?)", alert.id, JSON.stringify(alert));
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('tenant', ?)", shop.tenantId);
      sql.exec("UPDATE schema_version SET version = 3");
    });
    await evictDurableObject(store);
    expect(await store.outboxSize()).toBe(1);
    const tables = await runInDurableObject(store, (_instance, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'alert_outbox'").toArray(),
    );
    expect(tables).toEqual([]);
    await drainObjectOutbox(store);
    const alerts = (await api("GET", "/v1/alerts", { token: shop.secret })).body.data;
    expect(alerts.map((a: any) => [a.id, a.type, a.scope_id, a.bound, a.value, a.status])).toEqual([[alert.id, "limit.soft_crossed", shop.storeId, 2, 3, "open"]]);
  });
});

describe("limit records", () => {
  it("validates, lists, deletes, and writes every change to the audit log", async () => {
    const shop = await createShop();
    for (const body of [
      { scope: "card", metric: "purchase_count", period: "day" },
      { scope: "card", metric: "purchase_count", period: "day", hard: 1, soft: { lower: 1, upper: 2 } },
      { scope: "card", metric: "purchase_count", period: "day", soft: { lower: 3, upper: 2 } },
      { scope: "card", metric: "deducted_amount", period: "day", hard: 1 },
      { scope: "store", per: "register", metric: "purchase_count", period: "day", hard: 1 },
      { scope: "register", metric: "balance", method: "points", period: "day", hard: 1 },
      { scope: "store", scope_id: "sto_0000000000000000", metric: "purchase_count", period: "day", hard: 1 },
      { scope: "card", scope_id: uniqueCard(), metric: "purchase_count", period: "day", hard: 1 },
      { scope: "card", metric: "purchase_count", period: "year", hard: 1 },
      { scope: "card", metric: "purchase_count", period: "day", hard: 1.5 },
    ]) {
      expectError(await api("POST", "/v1/limits", { token: shop.secret, body }), 400, "invalid_request");
    }
    const created = await newLimit(shop, { scope: "register", scope_id: shop.registerId, metric: "purchase_count", period: "day", hard: 5 });
    expect(created).toMatchObject({ scope: "register", scope_id: shop.registerId, per: null, metric: "purchase_count", method: null, period: "day", hard: 5, soft: null });
    expect(created.id).toMatch(/^lim_/);
    expect((await api("GET", "/v1/limits", { token: shop.secret })).body.data.map((l: any) => l.id)).toEqual([created.id]);
    const deleted = await api("DELETE", `/v1/limits/${created.id}`, { token: shop.secret });
    expect(deleted.body).toMatchObject({ id: created.id, deleted: true });
    expectError(await api("DELETE", `/v1/limits/${created.id}`, { token: shop.secret }), 404, "limit_not_found");
    expect((await api("GET", "/v1/limits", { token: shop.secret })).body.data).toEqual([]);
    const audit = await api("GET", "/v1/audit-log", { token: shop.secret });
    // The shop's own set-up (store, register, member) is in the log too; the limit's two entries are the newest.
    const limitEntries = audit.body.data.filter((e: any) => e.action.startsWith("limit."));
    expect(limitEntries.map((e: any) => [e.action, e.subject_id, e.before?.hard ?? null, e.after?.hard ?? null])).toEqual([
      ["limit.deleted", created.id, 5, null],
      ["limit.created", created.id, null, 5],
    ]);
    expect(audit.body.data.slice(0, 2)).toEqual(limitEntries);
    expect(audit.body.data[0].actor).toBe(shop.secret.split("_")[1]);
    const other = await createShop();
    expectError(await api("DELETE", `/v1/limits/${created.id}`, { token: other.secret }), 404, "limit_not_found");
  });
});

describe("card limits", () => {
  it("a day's limit and a per-sale limit both passed: the per-sale one is named, and the day's says what is left", async () => {
    const shop = await createShop();
    await topUp(shop, 50000);
    const day = await newLimit(shop, { scope: "card", metric: "deducted_amount", method: "credit", period: "day", hard: 10000 });
    expect((await sale(shop, 6000)).status).toBe(201);
    const perSale = await newLimit(shop, { scope: "card", metric: "deducted_amount", method: "credit", period: "operation", hard: 5000 });
    const both = await sale(shop, 8000);
    expectError(both, 422, "limit_exceeded");
    expect(both.body.error.details).toMatchObject({ limit_id: perSale.id, period: "operation", method: "credit", bound: 5000, current: 0, attempted: 8000 });
    expect(both.body.error.message).toBe("This card may spend at most 5000 of credit (minor units) in one operation; this operation asks for 8000");
    const dayOnly = await sale(shop, 4500);
    expectError(dayOnly, 422, "limit_exceeded");
    expect(dayOnly.body.error.details).toMatchObject({ limit_id: day.id, period: "day", bound: 10000, current: 6000, attempted: 4500 });
    expect(dayOnly.body.error.message).toBe("This card may spend at most 10000 of credit (minor units) a day: 4000 left; this operation asks for 4500");
  });

  it("points accrued per purchase: a hard limit refuses with the details and raises limit.blocked", async () => {
    const shop = await createShop();
    await topUp(shop, 50000);
    const cap = await newLimit(shop, { scope: "card", metric: "accrued_amount", method: "points", period: "operation", hard: 100 });
    expect((await sale(shop, 10000, "credit", true)).status).toBe(201);
    const refused = await sale(shop, 10100, "credit", true);
    expectError(refused, 422, "limit_exceeded");
    expect(refused.body.error.details).toEqual({
      limit_id: cap.id,
      scope: "card",
      scope_id: shop.card,
      metric: "accrued_amount",
      period: "operation",
      method: "points",
      bound: 100,
      current: 0,
      attempted: 101,
    });
    expect(refused.body.error.message).toBe("This card may earn at most 100 points in one operation; this operation asks for 101");
    expect((await balances(shop)).credit.available).toBe(40000);
    const alerts = await alertsOf(shop);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: "limit.blocked", limit_id: cap.id, scope: "card", scope_id: shop.card, metric: "accrued_amount", period: "operation", bound: 100, value: 101 });
    expect(alerts[0].operation_id).toMatch(/^op_/);
  });

  it("points deducted in total count at hold time, come back on cancel, and a refund gives back its share", async () => {
    const shop = await createShop();
    await topUp(shop, 5000, "points");
    await newLimit(shop, { scope: "card", metric: "deducted_amount", method: "points", period: "lifetime", hard: 1000 });
    const held = await sale(shop, 1000, "points");
    expect(held.status).toBe(201);
    expectError(await sale(shop, 1, "points"), 422, "limit_exceeded");
    await api("POST", `/v1/operations/${held.body.id}/cancel`, { token: shop.terminal });
    const again = await sale(shop, 1000, "points");
    expect(again.status).toBe(201);
    await api("POST", `/v1/operations/${again.body.id}/confirm`, { token: shop.terminal });
    expectError(await sale(shop, 1, "points"), 422, "limit_exceeded");
    const refund = await createOperation(shop, { type: "refund", original_operation_id: again.body.id, amount: 400 });
    await api("POST", `/v1/operations/${refund.body.id}/confirm`, { token: shop.terminal });
    expect((await sale(shop, 400, "points")).status).toBe(201);
    expectError(await sale(shop, 1, "points"), 422, "limit_exceeded");
    await expectInvariants(shop);
  });

  it("a maximum balance refuses a top-up that would pass it, counting pending accruals", async () => {
    const shop = await createShop();
    await newLimit(shop, { scope: "card", metric: "balance", method: "credit", period: "lifetime", hard: 10000 });
    await topUp(shop, 8000);
    const pending = await createOperation(shop, { type: "top_up", card: shop.card, method: "credit", amount: 1500 });
    expect(pending.status).toBe(201);
    const refused = await createOperation(shop, { type: "top_up", card: shop.card, method: "credit", amount: 501 });
    expectError(refused, 422, "limit_exceeded");
    expect(refused.body.error.details).toMatchObject({ metric: "balance", bound: 10000, current: 9500, attempted: 501 });
  });

  it("per register counts the card separately at each till", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    await newLimit(shop, { scope: "card", per: "register", metric: "purchase_count", period: "day", hard: 1 });
    const other = await api("POST", `/v1/stores/${shop.storeId}/registers`, { token: shop.secret, body: { name: "Till 2" } });
    expect((await sale(shop, 100)).status).toBe(201);
    expectError(await sale(shop, 100), 422, "limit_exceeded");
    expect((await sale(shop, 100, "credit", false, other.body.terminal_key)).status).toBe(201);
  });

  it("day windows roll over at midnight in the tenant's time zone (controllable clock)", async () => {
    const shop = await createShop(); // Australia/Sydney
    await topUp(shop, 5000);
    const cap = await newLimit(shop, { scope: "card", metric: "purchase_count", period: "day", hard: 1 });
    const stub = account(shop);
    const ref = { tenant_id: shop.tenantId, member_id: shop.memberId };
    const policy = { approval_required_for: [], points_per_currency_unit: 1, point_value: 1, hold_ttl_seconds: 86400, minor_digits: 2, sms_confirm_points_deduction: false };
    const create = async (id: string, now: number) =>
      answerOf(await stub.createOperation(ref, {
        id,
        fingerprint: id,
        member_id: shop.memberId,
        store_id: shop.storeId,
        register_id: shop.registerId,
        request: { type: "purchase", card: shop.card, cheque: { number: "D", total: 100 }, payments: [{ method: "credit", amount: 100 }] },
        policy,
        now,
        limits: { card: [{ ...cap }], time_zone: "Australia/Sydney", store_reserved: false },
      }), 201);
    const base = Date.now() + 2 * 86_400_000;
    const day = new Date(base);
    const sydneyMidnightUtc = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 13, 0, 0); // 00:00 Sydney (UTC+11)
    const id = (n: number) => `op_${shop.memberId.slice(4)}${String(n).padStart(16, "0")}`;
    expect((await create(id(1), sydneyMidnightUtc - 60_000)).status).toBe(201);
    expect((await create(id(2), sydneyMidnightUtc - 30_000)).status).toBe(422);
    expect((await create(id(3), sydneyMidnightUtc + 60_000)).status).toBe(201);
  });
});

describe("register and store limits", () => {
  it("12 concurrent purchases at a register capped at 5 a day: exactly 5 go through", async () => {
    const shop = await createShop();
    await topUp(shop, 100000);
    const cap = await newLimit(shop, { scope: "register", metric: "purchase_count", period: "day", hard: 5 });
    const replies = await Promise.all(Array.from({ length: 12 }, () => sale(shop, 100)));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = replies.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(7);
    expect(refused.every((r) => r.status === 422 && r.body.error.code === "limit_exceeded")).toBe(true);
    expect(refused[0].body.error.details).toMatchObject({ limit_id: cap.id, scope: "register", scope_id: shop.registerId, bound: 5, current: 5, attempted: 1 });
    expect((await balances(shop)).credit.available).toBe(99500);

    // Cancelling one gives its count back: one more fits.
    const first = replies.find((r) => r.status === 201)!;
    await api("POST", `/v1/operations/${first.body.id}/cancel`, { token: shop.terminal });
    await drainOutbox(shop);
    expect((await sale(shop, 100)).status).toBe(201);
    expectError(await sale(shop, 100), 422, "limit_exceeded");
    await expectInvariants(shop);
  });

  it("a cancelled hold gives its store and register places back before the cancel answers, not when the outbox ships", async () => {
    const shop = await createShop();
    await topUp(shop, 10_000);
    await newLimit(shop, { scope: "store", metric: "purchase_count", period: "day", hard: 2 });
    await newLimit(shop, { scope: "register", metric: "deducted_amount", method: "credit", period: "day", hard: 300 });
    const held = [await sale(shop, 100), await sale(shop, 100)];
    expect(held.map((r) => r.status)).toEqual([201, 201]);
    for (const hold of held) expect((await api("POST", `/v1/operations/${hold.body.id}/cancel`, { token: shop.terminal })).status).toBe(200);
    // At once (the use case gave the places back before answering; the account's shipment races it): two more fit,
    // the third does not.
    expect((await sale(shop, 150)).status).toBe(201);
    expect((await sale(shop, 150)).status).toBe(201);
    expectError(await sale(shop, 1), 422, "limit_exceeded");
    // The outbox's own release arrives later and gives back nothing twice.
    await drainOutbox(shop);
    expectError(await sale(shop, 1), 422, "limit_exceeded");
    await expectInvariants(shop);
  });

  it("when the account refuses after the store counted, the store gives the count back", async () => {
    const shop = await createShop();
    await topUp(shop, 1000);
    await newLimit(shop, { scope: "store", metric: "purchase_count", period: "day", hard: 2 });
    for (let i = 0; i < 3; i++) expectError(await sale(shop, 5000), 409, "insufficient_funds");
    expect((await sale(shop, 100)).status).toBe(201);
    expect((await sale(shop, 100)).status).toBe(201);
    expectError(await sale(shop, 100), 422, "limit_exceeded");
  });

  it("a soft limit alerts once per window above lower and refuses above upper", async () => {
    const shop = await createShop();
    await topUp(shop, 10000);
    const soft = await newLimit(shop, { scope: "register", metric: "purchase_count", period: "day", soft: { lower: 2, upper: 4 } });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await sale(shop, 100)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 422]);
    const store = storeOf(env, { tenant_id: shop.tenantId, store_id: shop.storeId });
    await drainObjectOutbox(store);
    const alerts = (await api("GET", "/v1/alerts", { token: shop.secret })).body.data;
    expect(alerts.map((a: any) => [a.type, a.limit_id, a.bound, a.value])).toEqual([
      ["limit.blocked", soft.id, 4, 5],
      ["limit.soft_crossed", soft.id, 2, 3],
    ]);
  });

  it("manual operations per register per day", async () => {
    const shop = await createShop();
    await newLimit(shop, { scope: "register", scope_id: shop.registerId, metric: "manual_operation_count", period: "day", hard: 1 });
    expect((await createOperation(shop, { type: "manual_accrual", card: shop.card, method: "points", amount: 5, reason: "x" })).status).toBe(201);
    expectError(await createOperation(shop, { type: "manual_accrual", card: shop.card, method: "points", amount: 5, reason: "y" }), 422, "limit_exceeded");
    expect((await createOperation(shop, { type: "top_up", card: shop.card, method: "credit", amount: 5 })).status).toBe(201);
  });
});

describe("webhooks", () => {
  it("a delivery never follows a redirect: a 3xx is a failed attempt and the target is never asked", async () => {
    const shop = await createShop();
    await api("POST", "/v1/webhook-endpoints", { token: shop.secret, body: { url: "https://hooks.example/moved", events: ["alert.raised"] } });
    const asked: { url: string; redirect: string | undefined }[] = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.startsWith("https://hooks.example/")) return realFetch(input, init);
      asked.push({ url, redirect: init?.redirect });
      // As a server that moved the hook inside the network would answer; a fetch that follows would reach it.
      if (init?.redirect !== "manual") asked.push({ url: "http://169.254.169.254/latest/meta-data", redirect: undefined });
      return new Response("", { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data" } });
    });
    await newLimit(shop, { scope: "card", metric: "deducted_amount", method: "credit", period: "operation", hard: 100 });
    await topUp(shop, 5000);
    expectError(await sale(shop, 101), 422, "limit_exceeded");
    await drainOutbox(shop);
    const webhooks = env.WEBHOOKS.get(env.WEBHOOKS.idFromName(shop.tenantId));
    for (let i = 0; i < 50 && asked.length === 0; i++) {
      await runDurableObjectAlarm(webhooks);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(asked).toEqual([{ url: "https://hooks.example/moved", redirect: "manual" }]);
    const rows = await (await shardOf(shop.tenantId)).prepare("SELECT attempts, last_status, delivered_at FROM webhook_deliveries WHERE tenant_id = ?").bind(shop.tenantId).all();
    expect(rows.results).toEqual([{ attempts: 1, last_status: 302, delivered_at: null }]);
    // The endpoint goes, so no retry reaches a real fetch after this test's stub is gone.
    const [endpoint] = (await api("GET", "/v1/webhook-endpoints", { token: shop.secret })).body.data;
    expect((await api("DELETE", `/v1/webhook-endpoints/${endpoint.id}`, { token: shop.secret })).status).toBe(200);
  });

  it("alerts reach endpoints as signed POSTs, retried after a failure until a 2xx", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const hook = await api("POST", "/v1/webhook-endpoints", { token: shop.secret, body: { url: "https://hooks.example/tillsafe", events: ["alert.raised"] } });
    expect(hook.status).toBe(201);
    expect(hook.body.secret).toMatch(/^whsec_/);
    expect((await api("GET", "/v1/webhook-endpoints", { token: shop.secret })).body.data[0]).not.toHaveProperty("secret");

    const received: { body: string; signature: string }[] = [];
    let answer = 500;
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.startsWith("https://hooks.example/")) return realFetch(input, init);
      received.push({ body: String(init?.body), signature: new Headers(init?.headers).get("tillsafe-signature")! });
      return new Response(answer === 204 ? null : "", { status: answer });
    });

    await newLimit(shop, { scope: "card", metric: "deducted_amount", method: "credit", period: "operation", hard: 100 });
    expectError(await sale(shop, 101), 422, "limit_exceeded");
    await drainOutbox(shop);
    const webhooks = env.WEBHOOKS.get(env.WEBHOOKS.idFromName(shop.tenantId));
    const shard = await shardOf(shop.tenantId);
    const deliveries = () =>
      shard.prepare("SELECT attempts, last_status, delivered_at FROM webhook_deliveries WHERE tenant_id = ?").bind(shop.tenantId).all<any>();
    for (let i = 0; i < 50 && received.length === 0; i++) {
      await runDurableObjectAlarm(webhooks);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(received).toHaveLength(1);
    expect((await deliveries()).results).toEqual([{ attempts: 1, last_status: 500, delivered_at: null }]);

    answer = 204;
    await shard.prepare("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE tenant_id = ?").bind(shop.tenantId).run();
    for (let i = 0; i < 50 && received.length === 1; i++) {
      await runDurableObjectAlarm(webhooks);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(received).toHaveLength(2);
    const [delivery] = (await deliveries()).results;
    expect(delivery).toMatchObject({ attempts: 2, last_status: 204 });
    expect(delivery.delivered_at).toEqual(expect.any(String));

    const event = JSON.parse(received[1].body);
    expect(event).toMatchObject({ type: "alert.raised", data: { alert: { type: "limit.blocked", bound: 100, value: 101 } } });
    expect(received[1].body).toBe(received[0].body);
    const t = Number(/t=(\d+)/.exec(received[1].signature)![1]);
    expect(received[1].signature).toBe(await signatureHeader(hook.body.secret, received[1].body, t));
    expect(await signatureHeader("whsec_wrong", received[1].body, t)).not.toBe(received[1].signature);

    // Delivered: further alarms send nothing more.
    await runDurableObjectAlarm(webhooks);
    expect(received).toHaveLength(2);
  });

  it("webhook URLs are validated", async () => {
    const shop = await createShop();
    for (const body of [{ url: "ftp://x.example", events: ["alert.raised"] }, { url: "https://x.example", events: [] }, { url: "https://x.example", events: ["nope"] }]) {
      expectError(await api("POST", "/v1/webhook-endpoints", { token: shop.secret, body }), 400, "invalid_request");
    }
  });
});
