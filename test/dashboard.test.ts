/** The console's home page figures: today so far, what is held right now, open alerts, blocked cards, 24 hours. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dashboardOf } from "../src/operations/dashboard";
import { api, createOperation, createShop, drainOutbox, ORIGIN, staffCookie, topUp } from "./helpers";

describe("the dashboard", () => {
  it("counts today's purchases and what they paid, the holds not finished, open alerts, blocked cards, and the hours", async () => {
    const shop = await createShop();
    await topUp(shop, 10_000);
    await api("POST", "/v1/limits", { token: shop.secret, body: { scope: "card", scope_id: null, metric: "deducted_amount", method: "credit", period: "day", soft: { lower: 1000, upper: 9000 } } });
    const sale = (total: number) => createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "H-1", total }, payments: [{ method: "credit", amount: total }] });
    const first = await sale(1500);
    expect((await api("POST", `/v1/operations/${first.body.id}/confirm`, { token: shop.terminal })).status).toBe(200);
    expect((await sale(700)).status).toBe(201);
    const other = await createShop();
    await api("POST", `/v1/cards/${other.card}/block`, { token: other.secret, body: { reason: "lost" } });
    await drainOutbox(shop);
    await drainOutbox(other);

    const tenant = { id: shop.tenantId, timezone: "Australia/Sydney", currency: "USD" };
    const dashboard = await dashboardOf(env, tenant);
    expect(dashboard.today).toMatchObject({ purchases: 1, refunds: 0, deducted: { credit: 1500, cashback: 0, points: 0 }, accrued: 0, balanced: true });
    expect(dashboard.held).toEqual({ count: 1, amounts: { credit: 700, cashback: 0, points: 0 } });
    expect(dashboard.open_alerts).toBe(1);
    expect(dashboard.blocked_cards).toBe(0);
    expect(dashboard.hours).toHaveLength(24);
    const thisHour = dashboard.hours[23];
    expect(Date.parse(thisHour.start)).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - Date.parse(thisHour.start)).toBeLessThan(3_600_000);
    expect(thisHour.paid).toEqual({ credit: 1500, cashback: 0, points: 0 });
    expect(dashboard.hours.reduce((n, h) => n + h.alerts, 0)).toBe(1);
    expect((await dashboardOf(env, { ...tenant, id: other.tenantId })).blocked_cards).toBe(1);

    const home = (await api("GET", "/console", { headers: { cookie: await staffCookie(shop), origin: ORIGIN } })).body as string;
    expect(home).toContain("<span>Sales held, waiting to be finished</span><b>1 · $7.00 credit</b>");
    expect(home).toContain('aria-labelledby="chart-title chart-desc"');
  });
});
