/** Alerts worked on by the security team: open → acknowledged → resolved with a note, audited, and shown live. */
import { describe, expect, it } from "vitest";
import { api, createOperation, createShop, drainOutbox, expectError, openSocket, ORIGIN, staffCookie, topUp, type Shop } from "./helpers";

async function softLimit(shop: Shop) {
  const reply = await api("POST", "/v1/limits", { token: shop.secret, body: { scope: "card", scope_id: null, metric: "deducted_amount", method: "credit", period: "day", soft: { lower: 3000, upper: 6000 } } });
  expect(reply.status).toBe(201);
  return reply.body;
}

const sale = (shop: Shop, total: number) =>
  createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "A-1", total }, payments: [{ method: "credit", amount: total }] });

/** A purchase that crosses the soft bound, and the alert it raised, as D1 has it. */
async function raiseAlert(shop: Shop) {
  await topUp(shop, 10_000);
  await softLimit(shop);
  expect((await sale(shop, 3500)).status).toBe(201);
  await drainOutbox(shop);
  const listed = await api("GET", "/v1/alerts", { token: shop.secret });
  expect(listed.body.data).toHaveLength(1);
  return listed.body.data[0];
}

const asStaff = (cookie: string, method: string, path: string, body?: unknown) => api(method, path, { body, headers: { cookie, origin: ORIGIN } });

describe("alerts", () => {
  it("open → acknowledged → resolved with a note; each step audited with who did it; ?status= filters", async () => {
    const shop = await createShop();
    const alert = await raiseAlert(shop);
    expect(alert).toMatchObject({ type: "limit.soft_crossed", status: "open", bound: 3000, value: 3500, acknowledged_at: null, note: null });
    const security = await staffCookie(shop, "security");
    const acknowledged = await asStaff(security, "POST", `/v1/alerts/${alert.id}/acknowledge`);
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({ status: "acknowledged", acknowledged_by: expect.stringMatching(/^stf_/) });
    // Acknowledging again changes nothing and writes nothing.
    expect((await asStaff(security, "POST", `/v1/alerts/${alert.id}/acknowledge`)).body.acknowledged_at).toBe(acknowledged.body.acknowledged_at);
    expectError(await asStaff(security, "POST", `/v1/alerts/${alert.id}/resolve`, { note: "  " }), 400, "invalid_request");
    const resolved = await asStaff(security, "POST", `/v1/alerts/${alert.id}/resolve`, { note: "The member bought a gift hamper; checked the receipt" });
    expect(resolved.body).toMatchObject({ status: "resolved", note: "The member bought a gift hamper; checked the receipt", resolved_by: acknowledged.body.acknowledged_by });
    expectError(await asStaff(security, "POST", `/v1/alerts/${alert.id}/acknowledge`), 409, "alert_resolved");

    for (const [status, count] of [["open", 0], ["acknowledged", 0], ["resolved", 1]] as const) {
      expect((await api("GET", `/v1/alerts?status=${status}`, { token: shop.secret })).body.data, status).toHaveLength(count);
    }
    expectError(await api("GET", "/v1/alerts?status=closed", { token: shop.secret }), 400, "invalid_request");
    const audit = (await api("GET", "/v1/audit-log", { token: shop.secret })).body.data;
    expect(audit.slice(0, 2).map((e: { action: string; actor_type: string }) => `${e.action} ${e.actor_type}`)).toEqual(["alert.resolved staff", "alert.acknowledged staff"]);
    expect(audit[0].before.status).toBe("acknowledged");
    expectError(await api("POST", "/v1/alerts/alt_0000000000000000/acknowledge", { token: shop.secret }), 404, "alert_not_found");
    const other = await createShop();
    expectError(await api("POST", `/v1/alerts/${alert.id}/acknowledge`, { token: other.secret }), 404, "alert_not_found");
  });

  it("a manager may not resolve alerts; owners and security may", async () => {
    const shop = await createShop();
    const alert = await raiseAlert(shop);
    expectError(await asStaff(await staffCookie(shop, "manager"), "POST", `/v1/alerts/${alert.id}/acknowledge`), 403, "forbidden");
    expect((await asStaff(await staffCookie(shop, "owner"), "POST", `/v1/alerts/${alert.id}/acknowledge`)).status).toBe(200);
  });

  it("an open console page gets a new alert as it reaches D1, and a resolution made elsewhere", async () => {
    const shop = await createShop();
    const cookie = await staffCookie(shop, "security");
    const page = await openSocket("/v1/alerts/live", cookie);
    expect(page.status).toBe(101);
    const alert = await raiseAlert(shop);
    const arrived = await page.next("alerts");
    expect(arrived.alerts).toEqual([expect.objectContaining({ id: alert.id, type: "limit.soft_crossed", status: "open", value: 3500 })]);
    await asStaff(await staffCookie(shop, "owner"), "POST", `/v1/alerts/${alert.id}/resolve`, { note: "fine" });
    expect((await page.next("alert_changed")).alert).toMatchObject({ id: alert.id, status: "resolved", note: "fine" });
    page.socket!.close();
  });

  it("a staff session that ends closes its console page at once: signed out, removed, role changed; others stay and get the next alert", async () => {
    const shop = await createShop();
    const owner = await staffCookie(shop, "owner");
    const idOf = async (cookie: string) => (await asStaff(cookie, "GET", "/v1/staff/me")).body.staff.id as string;
    const opened = async (role: "owner" | "manager" | "security") => {
      const cookie = await staffCookie(shop, role);
      const page = await openSocket("/v1/alerts/live", cookie);
      expect(page.status).toBe(101);
      const closed = new Promise<number>((resolve) => page.socket!.addEventListener("close", (event) => resolve(event.code)));
      return { cookie, page, closed, id: await idOf(cookie) };
    };
    const [signedOut, removed, demoted, staying] = [await opened("security"), await opened("security"), await opened("manager"), await opened("security")];
    expect((await asStaff(signedOut.cookie, "DELETE", "/v1/staff-sessions/current")).status).toBe(204);
    expect(await signedOut.closed).toBe(4001);
    expect((await asStaff(owner, "DELETE", `/v1/staff/${removed.id}`)).status).toBe(200);
    expect(await removed.closed).toBe(4001);
    expect((await asStaff(owner, "PATCH", `/v1/staff/${demoted.id}`, { role: "security" })).status).toBe(200);
    expect(await demoted.closed).toBe(4001);
    // The others' pages stay open and get the next alert; the closed ones got nothing after their end.
    const alert = await raiseAlert(shop);
    expect((await staying.page.next("alerts")).alerts[0].id).toBe(alert.id);
    for (const ended of [signedOut, removed, demoted]) expect(ended.page.messages).toEqual([]);
    staying.page.socket!.close();
  });

  it("the live socket needs a console session, the console's Origin and an upgrade", async () => {
    const shop = await createShop();
    const cookie = await staffCookie(shop);
    expect((await openSocket("/v1/alerts/live", cookie, "https://evil.example")).status).toBe(403);
    expect((await openSocket("/v1/alerts/live", "tillsafe_staff=ss_nope")).status).toBe(401);
    expectError(await api("GET", "/v1/alerts/live", { headers: { cookie, origin: ORIGIN } }), 426, "upgrade_required");
  });
});
