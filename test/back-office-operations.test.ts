/** Operations seen from the back office: filters, one operation's page, and cancelling a hold a till left behind. */
import { describe, expect, it } from "vitest";
import { api, createOperation, createShop, drainOutbox, expectError, ORIGIN, staffCookie, topUp } from "./helpers";

describe("the back office and operations", () => {
  it("cancels a hold a till left behind: the hold goes back, the till cannot finish it, audited once", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const held = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "B-1", total: 1200 }, payments: [{ method: "credit", amount: 1200 }] });
    expectError(await api("POST", `/v1/operations/${held.body.id}/cancel`, { headers: { cookie: await staffCookie(shop, "security"), origin: ORIGIN } }), 403, "forbidden");
    const manager = await staffCookie(shop, "manager");
    const cancel = () => api("POST", `/v1/operations/${held.body.id}/cancel`, { headers: { cookie: manager, origin: ORIGIN } });
    const first = await cancel();
    expect(first.status).toBe(200);
    expect(first.body.status).toBe("cancelled");
    expect((await cancel()).status).toBe(200);
    expectError(await api("POST", `/v1/operations/${held.body.id}/confirm`, { token: shop.terminal }), 409, "operation_not_pending");
    const balances = (await api("GET", `/v1/members/${shop.memberId}`, { token: shop.secret })).body.balances;
    expect(balances.credit).toEqual({ balance: 5000, available: 5000 });
    const audit = (await api("GET", "/v1/audit-log", { token: shop.secret })).body.data.filter((e: { action: string }) => e.action === "operation.cancelled");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: "staff", subject_id: held.body.id });
    expectError(await api("POST", `/v1/operations/${held.body.id}/cancel`, { token: (await createShop()).secret }), 404, "operation_not_found");
    // One the till cancelled itself is not recorded as the back office's.
    const tills = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "B-3", total: 100 }, payments: [{ method: "credit", amount: 100 }] });
    expect((await api("POST", `/v1/operations/${tills.body.id}/cancel`, { token: shop.terminal })).status).toBe(200);
    expect((await api("POST", `/v1/operations/${tills.body.id}/cancel`, { token: shop.secret })).status).toBe(200);
    const entries = (await api("GET", "/v1/audit-log", { token: shop.secret })).body.data.filter((e: { action: string }) => e.action === "operation.cancelled");
    expect(entries.map((e: { subject_id: string }) => e.subject_id)).toEqual([held.body.id]);
  });

  it("lists by register and by time; an operation's page shows its refunds and what it posted", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const before = new Date().toISOString();
    const sale = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "B-2", total: 2000 }, payments: [{ method: "credit", amount: 2000 }] });
    await api("POST", `/v1/operations/${sale.body.id}/confirm`, { token: shop.terminal });
    const refund = await createOperation(shop, { type: "refund", original_operation_id: sale.body.id, amount: 500 });
    await api("POST", `/v1/operations/${refund.body.id}/confirm`, { token: shop.terminal });
    await drainOutbox(shop);
    const list = async (query: string) => (await api("GET", `/v1/operations?${query}`, { token: shop.secret })).body.data.map((op: { id: string }) => op.id);
    expect(await list(`register_id=${shop.registerId}&created_after=${before}`)).toEqual([refund.body.id, sale.body.id]);
    expect(await list(`created_before=${before}`)).toHaveLength(1); // the top-up
    expect(await list("register_id=reg_elsewhere")).toEqual([]);
    expectError(await api("GET", "/v1/operations?created_after=yesterday", { token: shop.secret }), 400, "invalid_request");

    const cookie = await staffCookie(shop, "manager");
    const page = (await api("GET", `/console/operations/${sale.body.id}`, { headers: { cookie } })).body as string;
    expect(page).toContain("Refunds of it");
    expect(page).toContain(`href="/console/operations/${refund.body.id}"`);
    expect(page).toContain("−$20.00");
    const listed = (await api("GET", `/console/operations?register_id=${shop.registerId}&status=confirmed`, { headers: { cookie } })).body as string;
    expect(listed.match(/data-operation="/g)).toHaveLength(3);
    expect((await api("GET", "/console/operations/op_nope", { headers: { cookie } })).status).toBe(404);
  });
});
