/** The day's reconciliation: what confirmed operations moved, per store and method, equal to the journal; CSV too. */
import { describe, expect, it } from "vitest";
import { api, createOperation, createShop, drainOutbox, expectError, onRecords, shardOf, topUp, type Shop } from "./helpers";

const today = (timeZone: string) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());

async function confirmed(shop: Shop, body: object) {
  const created = await createOperation(shop, body);
  expect(created.status).toBe(201);
  const done = await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal });
  expect(done.status).toBe(200);
  return done.body;
}

/** A small day at the till: a top-up, a purchase paid with credit and points that earns points, a refund, a manual accrual. */
async function aDay(shop: Shop) {
  await api("PATCH", "/v1/settings", { token: shop.secret, body: { points_per_currency_unit: 1 } });
  await topUp(shop, 10_000);
  await topUp(shop, 300, "points");
  const purchase = await confirmed(shop, { type: "purchase", card: shop.card, cheque: { number: "D-1", total: 5000 }, payments: [{ method: "credit", amount: 2000 }, { method: "points", amount: 100 }], accrue_points: true });
  const refund = await confirmed(shop, { type: "refund", original_operation_id: purchase.id, amount: 2500 });
  await drainOutbox(shop);
  return { purchase, refund };
}

const report = (shop: Shop, query: string, headers: Record<string, string> = {}) => api("GET", `/v1/reports/daily?${query}`, { token: shop.secret, headers });

describe("GET /v1/reports/daily", () => {
  it("per store and method: the operations' figures equal the journal's, balanced; today is not final yet", async () => {
    const shop = await createShop();
    const { purchase, refund } = await aDay(shop);
    const date = today("Australia/Sydney");
    const reply = await report(shop, `date=${date}`);
    expect(reply.status).toBe(200);
    const body = reply.body;
    expect(body).toMatchObject({ date, time_zone: "Australia/Sydney", currency: "USD", complete: false, incomplete_reason: "The day is not over yet: the figures are so far.", balanced: true });
    expect(Date.parse(body.window_end) - Date.parse(body.window_start)).toBe(86_400_000);
    expect(body.stores).toHaveLength(1);
    const [store] = body.stores;
    expect(store).toMatchObject({ store_id: shop.storeId, store_name: "Main St", counts: { purchases: 1, refunds: 1, top_ups: 1, manual: 1 }, balanced: true });
    const figures = Object.fromEntries(store.methods.map((m: { method: string; operations: object; journal: object }) => [m.method, m.operations]));
    // The refund of half the cheque gives back half of what each method paid, and takes back half the points earned.
    const earned = purchase.accrual.points;
    expect(earned).toBeGreaterThan(0);
    expect(figures.credit).toEqual({ deducted: 2000, accrued: 0, refunded: 1000, accrual_reversed: 0, topped_up: 10_000, manual_accrued: 0, manual_deducted: 0 });
    expect(figures.points).toEqual({ deducted: 100, accrued: earned, refunded: 50, accrual_reversed: -refund.accrual.points, topped_up: 0, manual_accrued: 300, manual_deducted: 0 });
    for (const m of store.methods) expect(m.journal, m.method).toEqual(m.operations);
  });

  it("a journal that does not match what was sold is not balanced, and says where", async () => {
    const shop = await createShop();
    const { purchase } = await aDay(shop);
    // The credit payment's entry, in the row's columns or among its more_entries.
    await onRecords(
      await shardOf(shop.tenantId),
      "history",
      `UPDATE {table} SET amount = iif(kind = 'payment' AND method = 'credit', amount + 1, amount),
         more_entries = (SELECT json_group_array(iif(e.value ->> '$.kind' = 'payment' AND e.value ->> '$.method' = 'credit', json_set(e.value, '$.amount', (e.value ->> '$.amount') + 1), json(e.value))) FROM json_each(more_entries) e)
       WHERE operation_id = ?`,
      purchase.id,
    );
    const body = (await report(shop, `date=${today("Australia/Sydney")}`)).body;
    expect(body.balanced).toBe(false);
    const methods = body.stores[0].methods.map((m: { method: string; balanced: boolean; journal: { deducted: number } }) => [m.method, m.balanced, m.journal.deducted]);
    expect(methods).toEqual([["credit", false, 1999], ["cashback", true, 0], ["points", true, 100]]);
  });

  it("as CSV: one line per store and method, amounts in minor units or points, for Accept: text/csv or format=csv", async () => {
    const shop = await createShop();
    await aDay(shop);
    const date = today("Australia/Sydney");
    const csv = await report(shop, `date=${date}`, { accept: "text/csv" });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="tillsafe-${date}.csv"`);
    const lines = (csv.body as string).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "date,store_id,store_name,method,unit,deducted,accrued,refunded,accrual_reversed,topped_up,manual_accrued,manual_deducted,journal_deducted,journal_accrued,journal_refunded,journal_accrual_reversed,journal_topped_up,journal_manual_accrued,journal_manual_deducted,purchases,refunds,top_ups,manual,balanced,complete",
    );
    expect(lines[1]).toBe(`${date},${shop.storeId},Main St,credit,minor units of USD,2000,0,1000,0,10000,0,0,2000,0,1000,0,10000,0,0,1,1,1,1,true,false`);
    expect(lines).toHaveLength(4);
    expect((await report(shop, `date=${date}&format=csv`)).body).toBe(csv.body);
    // A store name a spreadsheet would run as a formula is written as text.
    await api("PATCH", `/v1/stores/${shop.storeId}`, { token: shop.secret, body: { name: '=HYPERLINK("http://evil.example","x")' } });
    const named = ((await report(shop, `date=${date}&format=csv`)).body as string).split("\r\n")[1];
    expect(named).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")",credit,`);
  });

  it("a past day with nothing in it is final and balanced; a day past the history kept says so; bad dates and other stores are refused", async () => {
    const shop = await createShop();
    // Five days ago in Sydney (its 14:00 is 03:00 UTC, summer or winter alike within the day).
    const day = new Date(Date.now() - 5 * 86_400_000).toLocaleDateString("en-CA", { timeZone: "Australia/Sydney" });
    const quiet = (await report(shop, `date=${day}`)).body;
    expect(quiet).toMatchObject({ complete: true, incomplete_reason: null, balanced: true });
    expect(quiet.stores[0].methods.every((m: { operations: Record<string, number> }) => Object.values(m.operations).every((v) => v === 0))).toBe(true);
    // A sale D1 still shows as pending though its hold ran out that day: its end has not reached the records yet.
    await (await shardOf(shop.tenantId)).prepare("INSERT INTO operations (id, tenant_id, member_id, store_id, register_id, type, status, version, body, created_at) VALUES (?, ?, ?, ?, ?, 'purchase', 'pending', 1, ?, ?)")
      .bind("op_lagging0000000", shop.tenantId, shop.memberId, shop.storeId, shop.registerId, JSON.stringify({ expires_at: `${day}T03:15:00.000Z` }), `${day}T03:00:00.000Z`)
      .run();
    expect((await report(shop, `date=${day}`)).body).toMatchObject({ complete: false, incomplete_reason: "1 sale of the day has not reached the records yet." });
    // Past the 90 days kept at hand: not final here; its archive has it.
    expect((await report(shop, "date=2026-01-15")).body).toMatchObject({
      complete: false,
      incomplete_reason: "That day is older than the 90 days of history kept at hand: its records are in the day's archive (GET /v1/exports).",
    });
    expectError(await report(shop, "date=2026-02-30"), 400, "invalid_request");
    expectError(await report(shop, "date=yesterday"), 400, "invalid_request");
    expectError(await report(shop, `date=${day}&store_id=sto_elsewhere`), 404, "store_not_found");
    expectError(await report(shop, `date=${day}&store_id=${(await createShop()).storeId}`), 404, "store_not_found");
    expectError(await api("GET", `/v1/reports/daily?date=${day}`, { token: shop.terminal }), 403, "forbidden");
  });
});
