/**
 * Test mode: a test tenant's objects and events say `livemode: false`, its SMS stay in GET /v1/test/sms, and members
 * with the test phones answer approval requests by themselves — so a POS can try every branch without a phone.
 */
import { describe, expect, it } from "vitest";
import { generationOf, tableOf } from "../src/db/event-generations";
import { api, approvalRequest, createOperation, createShop, drainOutbox, expectError, memberCookie, openSocket, requireApproval, staffCookie, shardOf, topUp, type Shop } from "./helpers";

const sale = (shop: Shop, amount = 500) => createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "T-1", total: amount }, payments: [{ method: "credit", amount }] });

/** The operation's authorization once it is no longer `pending` (or after `ms`, as it then is). */
async function authorizationAfter(shop: Shop, id: string, ms: number): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const status = (await api("GET", `/v1/operations/${id}`, { token: shop.terminal })).body.authorization.status as string;
    if (status !== "pending" || Date.now() > until) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A sale of a test or live shop whose member has `phone`, with approval asked. */
async function askedSale(phone: string, livemode = false) {
  const shop = await createShop({ livemode, phone });
  await topUp(shop, 5000);
  await requireApproval(shop);
  const held = await sale(shop);
  expect(held.body.authorization.status).toBe("required");
  const asked = await approvalRequest(shop, held.body.id);
  expect(asked.status).toBe(201);
  return { shop, id: held.body.id as string, asked: Date.now() };
}

describe("test mode", () => {
  it("every object of a test tenant, and every event, says livemode: false; a live tenant's say true", async () => {
    const shop = await createShop({ livemode: false });
    const tenant = await api("GET", "/v1/terminal", { token: shop.terminal });
    expect(tenant.body.tenant).toMatchObject({ livemode: false });
    const store = await api("POST", "/v1/stores", { token: shop.secret, body: { name: "Pier" } });
    expect(store.body).toMatchObject({ name: "Pier", livemode: false });
    const created = await topUp(shop, 700);
    expect(created).toMatchObject({ type: "top_up", status: "confirmed", livemode: false });
    await drainOutbox(shop);
    const listed = (await api("GET", "/v1/operations", { token: shop.secret })).body.data;
    expect(listed.map((o: { livemode: boolean }) => o.livemode)).toEqual([false]);
    const events = (await api("GET", "/v1/events", { token: shop.secret })).body.data;
    expect(events.map((e: { type: string; livemode: boolean }) => `${e.type} ${e.livemode}`)).toEqual(["operation.confirmed false", "operation.created false"]);
    // The operation inside each event says so too, though the log keeps only the moment beside the operation's row.
    for (const event of events) expect(event).toMatchObject({ livemode: false, data: { operation: { id: created.id, livemode: false } } });
    const confirmedAt = events.find((e: { type: string }) => e.type === "operation.confirmed").created_at;
    const payload = await (await shardOf(shop.tenantId)).prepare(`SELECT payload FROM ${tableOf(generationOf(confirmedAt))} WHERE tenant_id = ? AND type = 'operation.confirmed'`).bind(shop.tenantId).first<string>("payload");
    expect(Object.keys(JSON.parse(payload!))).toEqual(["at", "moment"]);
    // GET /v1/events answers each event with the operation exactly as it was then: confirmed, as the till was told.
    expect(events.find((e: { type: string }) => e.type === "operation.confirmed").data.operation).toEqual(created);

    // So do the live pages' messages: the member's page, and the console's alerts.
    const page = await openSocket("/v1/me/events", await memberCookie(shop));
    const consolePage = await openSocket("/v1/alerts/live", await staffCookie(shop, "security"));
    await requireApproval(shop);
    await api("POST", "/v1/limits", { token: shop.secret, body: { scope: "card", metric: "deducted_amount", method: "credit", period: "operation", soft: { lower: 10, upper: 1000 } } });
    const held = await sale(shop, 200);
    expect((await approvalRequest(shop, held.body.id)).status).toBe(201);
    expect((await page.next("approval_request")).request).toMatchObject({ operation_id: held.body.id, livemode: false });
    await drainOutbox(shop);
    expect((await consolePage.next("alerts")).alerts).toEqual([expect.objectContaining({ type: "limit.soft_crossed", operation_id: held.body.id, livemode: false })]);
    page.socket?.close();
    consolePage.socket?.close();

    const live = await createShop();
    expect((await topUp(live, 100)).livemode).toBe(true);
    expect((await api("GET", `/v1/members/${live.memberId}`, { token: live.secret })).body.livemode).toBe(true);
  });

  it("+15005550001 approves by itself after a second; the cashier confirms", async () => {
    const { shop, id, asked } = await askedSale("+15005550001");
    expect(await authorizationAfter(shop, id, 0)).toBe("pending");
    expect(await authorizationAfter(shop, id, 5000)).toBe("approved");
    expect(Date.now() - asked).toBeGreaterThanOrEqual(900);
    const confirmed = await api("POST", `/v1/operations/${id}/confirm`, { token: shop.terminal });
    expect([confirmed.status, confirmed.body.status]).toEqual([200, "confirmed"]);
    // The answer is logged like a member's own.
    await drainOutbox(shop);
    const [answered] = (await api("GET", "/v1/events?type=approval_request.answered", { token: shop.secret })).body.data;
    expect(answered).toMatchObject({ livemode: false, data: { approval_request: { operation_id: id, status: "approved", livemode: false } } });
  });

  it("+15005550002 rejects by itself; asked again with a new amount, it rejects again", async () => {
    const { shop, id } = await askedSale("+15005550002");
    expect(await authorizationAfter(shop, id, 5000)).toBe("rejected");
    expectError(await api("POST", `/v1/operations/${id}/confirm`, { token: shop.terminal }), 409, "authorization_required");
    const changed = await api("PATCH", `/v1/operations/${id}`, { token: shop.terminal, body: { cheque: { number: "T-1", total: 400 }, payments: [{ method: "credit", amount: 400 }] } });
    expect([changed.status, changed.body.authorization.status]).toEqual([200, "required"]);
    expect((await approvalRequest(shop, id)).status).toBe(201);
    expect(await authorizationAfter(shop, id, 5000)).toBe("rejected");
  });

  it("+15005550003 never answers; a live tenant's member with a test phone is never answered for", async () => {
    const silent = await askedSale("+15005550003");
    const live = await askedSale("+15005550001", true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await authorizationAfter(silent.shop, silent.id, 0)).toBe("pending");
    expect(await authorizationAfter(live.shop, live.id, 0)).toBe("pending");
  });

  it("a test tenant's SMS reach no phone: they are in GET /v1/test/sms, and +15005550001's code is 000000", async () => {
    const shop = await createShop({ livemode: false, sms: true, phone: "+15005550001" });
    await topUp(shop, 1000, "points");
    const held = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "S-1", total: 300 }, payments: [{ method: "points", amount: 300 }] });
    expect(held.body.authorization.status).toBe("required");
    expect((await api("POST", `/v1/operations/${held.body.id}/sms-codes`, { token: shop.terminal })).status).toBe(201);
    const outbox = await api("GET", "/v1/test/sms?phone=%2B15005550001", { token: shop.secret });
    expect(outbox.body.data).toHaveLength(1);
    expect(outbox.body.data[0]).toMatchObject({ to: "+15005550001" });
    expect(outbox.body.data[0].body).toMatch(/: 000000 is your code to pay 300 points/);
    const verified = await api("POST", `/v1/operations/${held.body.id}/sms-codes/verify`, { token: shop.terminal, body: { code: "000000" } });
    expect(verified.status).toBe(200);
    // Signing in on the member page: the same fixed code, also kept in the outbox.
    const login = { tenant_id: shop.tenantId, phone: "+15005550001" };
    expect((await api("POST", "/v1/member-login/codes", { body: login, headers: { "cf-connecting-ip": "198.51.100.200" } })).status).toBe(202);
    for (let i = 0; i < 60 && (await api("GET", "/v1/test/sms", { token: shop.secret })).body.data.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await api("GET", "/v1/test/sms", { token: shop.secret })).body.data[0].body).toMatch(/: 000000 is your sign-in code/);
    const signedIn = await api("POST", "/v1/member-login/verify", { body: { ...login, code: "000000" } });
    expect(signedIn.status).toBe(200);
    // Another tenant's test SMS are its own; a live tenant has no such outbox.
    expect((await api("GET", "/v1/test/sms", { token: (await createShop({ livemode: false })).secret })).body.data).toEqual([]);
    expectError(await api("GET", "/v1/test/sms", { token: (await createShop()).secret }), 404, "not_found");
  });
});
