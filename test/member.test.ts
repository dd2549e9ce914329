/** Member sessions, the member API, the live socket (also across hibernation) and the hosted pages. */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { switchSession } from "../src/auth/member-sessions";
import {
  account,
  api,
  approvalRequest,
  asMember,
  createOperation,
  createShop,
  drainOutbox,
  expectError,
  memberCookie,
  memberSocket,
  ORIGIN,
  PLATFORM,
  requireApproval,
  topUp,
} from "./helpers";

describe("portal links and sessions", () => {
  it("a link is used once: it sets an HttpOnly, SameSite=Lax session cookie and redirects to the member page", async () => {
    const shop = await createShop();
    const link = await api("POST", `/v1/members/${shop.memberId}/portal-sessions`, { token: shop.secret });
    expect(link.status).toBe(201);
    expect(link.body.url).toMatch(/^https:\/\/tillsafe\.test\/portal\/pl_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(link.body.expires_at) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(Date.parse(link.body.expires_at) - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    const path = new URL(link.body.url).pathname;
    const first = await api("GET", path);
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe(`/m/${shop.tenantId}`);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const cookie = first.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^tillsafe_session=ms_[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toContain("Secure"); // development serves plain http locally
    const second = await api("GET", path);
    expect(second.status).toBe(404);
    expect(second.headers.get("set-cookie")).toBeNull();
  });

  it("an expired link does not sign in; tokens are stored only as hashes", async () => {
    const shop = await createShop();
    const link = await api("POST", `/v1/members/${shop.memberId}/portal-sessions`, { token: shop.secret });
    const token = new URL(link.body.url).pathname.split("/").pop()!;
    const stored = await env.DB.prepare("SELECT token_hash FROM portal_links WHERE member_id = ?").bind(shop.memberId).all();
    expect(stored.results).toHaveLength(1);
    expect(JSON.stringify(stored.results)).not.toContain(token);
    await env.DB.prepare("UPDATE portal_links SET expires_at = ? WHERE member_id = ?").bind(new Date(Date.now() - 1000).toISOString(), shop.memberId).run();
    const expired = await api("GET", `/portal/${token}`);
    expect(expired.status).toBe(404);
    expect(expired.headers.get("set-cookie")).toBeNull();
    // The program's own sign-in, phone-sized, saying why: the member goes on with a code by SMS.
    const page = expired.body as string;
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    expect(page).toContain("This sign-in link has expired or was already used.");
    expect(page).toContain(`id="phone-form" data-tenant="${shop.tenantId}"`);
    // A token of no link at all names no program.
    const unknown = await api("GET", `/portal/pl_${"x".repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain("This link does not work");
    expect(unknown.body).not.toContain("phone-form");
  });

  it("a session expires when idle too long, and a revoked one stops working", async () => {
    const shop = await createShop();
    const cookie = await memberCookie(shop);
    expect((await asMember(cookie, "GET", "/v1/me")).status).toBe(200);
    await env.DB.prepare("UPDATE member_sessions SET last_seen_at = ? WHERE member_id = ?")
      .bind(new Date(Date.now() - 13 * 3600_000).toISOString(), shop.memberId)
      .run();
    expectError(await asMember(cookie, "GET", "/v1/me"), 401, "unauthenticated");
    const fresh = await memberCookie(shop);
    await env.DB.prepare("UPDATE member_sessions SET revoked_at = ? WHERE member_id = ?").bind(new Date().toISOString(), shop.memberId).run();
    expectError(await asMember(fresh, "GET", "/v1/me"), 401, "unauthenticated");
  });

  it("the session token also works as a Bearer token; other credentials cannot use /v1/me and it cannot use theirs", async () => {
    const shop = await createShop();
    const cookie = await memberCookie(shop);
    const token = cookie.split("=")[1];
    expect((await api("GET", "/v1/me", { token })).status).toBe(200);
    expectError(await api("GET", "/v1/me", { token: shop.secret }), 403, "forbidden");
    expectError(await api("GET", "/v1/me", { token: shop.terminal }), 403, "forbidden");
    expectError(await api("GET", "/v1/settings", { token }), 403, "forbidden");
    expectError(await api("GET", "/v1/me"), 401, "unauthenticated");
  });

  it("a cookie on a request from another origin is refused", async () => {
    const shop = await createShop();
    const cookie = await memberCookie(shop);
    const reply = await api("POST", `/v1/me/cards/${shop.card}/block`, { headers: { cookie, origin: "https://evil.example" } });
    expectError(reply, 403, "forbidden");
    expect((await api("GET", `/v1/cards/${shop.card}`, { token: shop.secret })).body.status).toBe("active");
  });
});

describe("member API", () => {
  it("/v1/me shows the member, balances and cards; history is newest first", async () => {
    const shop = await createShop();
    await topUp(shop, 2500);
    await topUp(shop, 40, "points");
    const cookie = await memberCookie(shop);
    const me = await asMember(cookie, "GET", "/v1/me");
    expect(me.body).toMatchObject({
      member: { id: shop.memberId, name: "Nicola", phone: "+61412345678" },
      balances: { credit: { balance: 2500, available: 2500 }, cashback: { balance: 0, available: 0 }, points: { balance: 40, available: 40 } },
      cards: [{ number: shop.card, status: "active", member_id: shop.memberId }],
    });
    await drainOutbox(shop);
    const history = await asMember(cookie, "GET", "/v1/me/history");
    expect(history.body.data.map((e: any) => [e.kind, e.amount])).toEqual([
      ["manual_accrual", 40],
      ["top_up", 2500],
    ]);
  });

  it("blocking a card from the page cancels its pending operations and closes their requests; other cards are 404", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    await requireApproval(shop);
    const op = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "B-1", total: 1000 }, payments: [{ method: "credit", amount: 1000 }] });
    const sent = await approvalRequest(shop, op.body.id);
    const cookie = await memberCookie(shop);
    const blocked = await asMember(cookie, "POST", `/v1/me/cards/${shop.card}/block`);
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ number: shop.card, status: "blocked" });
    expect((await api("GET", `/v1/operations/${op.body.id}`, { token: shop.terminal })).body.status).toBe("cancelled");
    const requests = await asMember(cookie, "GET", "/v1/me/approval-requests");
    expect(requests.body.data[0]).toMatchObject({ id: sent.body.request.id, status: "cancelled" });
    const other = await createShop();
    expectError(await asMember(cookie, "POST", `/v1/me/cards/${other.card}/block`), 404, "card_not_found");
  });

  it("members who share a phone: each sees the others and the page switches between them, never past its expiry", async () => {
    const shop = await createShop();
    const enrol = async (name: string, phone: string) => {
      const member = await api("POST", "/v1/members", { token: shop.secret, body: { name, phone } });
      expect(member.status).toBe(201);
      return member.body.id as string;
    };
    const sam = await enrol("Sam", "+61412345678");
    const kim = await enrol("Kim", "+61400000009");
    const elsewhere = await createShop(); // another tenant's Nicola, on the same phone
    const cookie = await memberCookie(shop);
    const me = await asMember(cookie, "GET", "/v1/me");
    expect(me.body.members_on_this_phone).toEqual([{ id: sam, name: "Sam", livemode: true }]);
    const page = await api("GET", `/m/${shop.tenantId}`, { headers: { cookie } });
    expect(page.body).toContain("Also on this phone");
    expect(page.body).toContain(`{"id":"${sam}","name":"Sam"}`);

    for (const id of [kim, shop.memberId, elsewhere.memberId, "mem_0000000000000000"]) {
      expectError(await asMember(cookie, "POST", "/v1/me/switch", { member_id: id }), 404, "member_not_found");
    }
    expectError(await asMember(cookie, "POST", "/v1/me/switch", { member_id: "sam" }), 400, "invalid_request");
    const token = cookie.split("=")[1];
    expectError(await api("POST", "/v1/me/switch", { token, body: { member_id: sam } }), 403, "forbidden");

    const page0 = await memberSocket(cookie);
    expect(page0.status).toBe(101);
    const closed = new Promise<number>((resolve) => page0.socket!.addEventListener("close", (event) => resolve(event.code)));
    const switched = await asMember(cookie, "POST", "/v1/me/switch", { member_id: sam });
    expect(switched.status).toBe(200);
    // The page open under the old session is closed: it no longer hears Nicola's requests.
    expect(await closed).toBe(4001);
    expect(switched.body.member).toMatchObject({ id: sam, name: "Sam" });
    const setCookie = switched.headers.get("set-cookie")!;
    expect(Number(/Max-Age=(\d+)/.exec(setCookie)![1])).toBeLessThanOrEqual(7 * 24 * 3600);
    const samCookie = setCookie.split(";")[0];
    const asSam = await asMember(samCookie, "GET", "/v1/me");
    expect(asSam.body.member.id).toBe(sam);
    expect(asSam.body.members_on_this_phone).toEqual([{ id: shop.memberId, name: "Nicola", livemode: true }]);
    // The session moved: the old cookie no longer signs anyone in.
    expectError(await asMember(cookie, "GET", "/v1/me"), 401, "unauthenticated");
    const back = await asMember(samCookie, "POST", "/v1/me/switch", { member_id: shop.memberId });
    expect(back.status).toBe(200);
    const nicolaCookie = back.headers.get("set-cookie")!.split(";")[0];
    expect((await asMember(nicolaCookie, "GET", "/v1/me")).body.member.id).toBe(shop.memberId);
    // Two switches at once with one session (both past the session check): exactly one moves it.
    const nicolaToken = nicolaCookie.split("=")[1];
    const both = await Promise.all([switchSession(env.DB, nicolaToken, sam), switchSession(env.DB, nicolaToken, sam)]);
    expect(both.filter((session) => session !== null)).toHaveLength(1);
    // Every session of this tenant came from the one portal session by switching: all end when it would have.
    const ends = await env.DB.prepare("SELECT COUNT(*) AS sessions, COUNT(DISTINCT expires_at) AS ends FROM member_sessions WHERE tenant_id = ?")
      .bind(shop.tenantId)
      .first<{ sessions: number; ends: number }>();
    expect(ends).toEqual({ sessions: 4, ends: 1 });
  });
});

describe("live socket", () => {
  it("needs a session and the page's own Origin", async () => {
    const shop = await createShop();
    const cookie = await memberCookie(shop);
    expect((await memberSocket(cookie, "https://evil.example")).status).toBe(403);
    expect((await memberSocket("tillsafe_session=ms_nope")).status).toBe(401);
    const plain = await api("GET", "/v1/me/events", { headers: { cookie, origin: ORIGIN } });
    expectError(plain, 426, "upgrade_required");
  });

  it("pushes requests, closings, balances and history to every open page, also after the object hibernates", async () => {
    const shop = await createShop();
    await topUp(shop, 15000);
    await requireApproval(shop);
    const cookie = await memberCookie(shop);
    const page = await memberSocket(cookie);
    const phone = await memberSocket(cookie);
    expect([page.status, phone.status]).toEqual([101, 101]);

    const op = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "L-1", total: 4700 }, payments: [{ method: "credit", amount: 4700 }] });
    const held = await page.next("balance");
    expect(held.balances.credit).toEqual({ balance: 15000, available: 10300 });

    await evictDurableObject(account(shop), { webSockets: "hibernate" });
    const sent = await approvalRequest(shop, op.body.id);
    expect(sent.body.delivered).toBe(true);
    const [onPage, onPhone] = await Promise.all([page.next("approval_request"), phone.next("approval_request")]);
    // The page's socket carries the request as the account holds it; the HTTP answer adds the tenant's livemode.
    expect({ ...onPage.request, livemode: true }).toEqual(sent.body.request);
    expect(onPhone.request.id).toBe(sent.body.request.id);

    await asMember(cookie, "POST", `/v1/me/approval-requests/${sent.body.request.id}/approve`);
    const closed = await page.next("approval_request_closed");
    expect(closed.request).toMatchObject({ id: sent.body.request.id, status: "approved" });
    await api("POST", `/v1/operations/${op.body.id}/confirm`, { token: shop.terminal });
    const history = await page.next("history");
    expect(history.entries.map((e: any) => [e.kind, e.method, e.amount, e.balance_after])).toEqual([["payment", "credit", -4700, 10300]]);

    page.socket!.close();
    phone.socket!.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const another = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "L-2", total: 100 }, payments: [{ method: "credit", amount: 100 }] });
    expect((await approvalRequest(shop, another.body.id)).body.delivered).toBe(false);
  });
});

describe("pages", () => {
  it("the member page shows the member with a session, and a sign-in page without one", async () => {
    const shop = await createShop();
    await topUp(shop, 15000);
    const cookie = await memberCookie(shop);
    const page = await api("GET", `/m/${shop.tenantId}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.body).toContain("Hello, Nicola");
    expect(page.body).toContain('"balance":15000');
    const anonymous = await api("GET", `/m/${shop.tenantId}`);
    expect(anonymous.body).toContain("Sign in");
    expect(anonymous.body).not.toContain("Nicola");
    const other = await createShop();
    const elsewhere = await api("GET", `/m/${other.tenantId}`, { headers: { cookie } });
    expect(elsewhere.body).toContain("Sign in");
    expect((await api("GET", "/m/ten_0000000000000000")).status).toBe(404);
  });

  it("the register page and the scripts are served", async () => {
    const register = await api("GET", "/register");
    expect(register.status).toBe(200);
    expect(register.body).toContain("Request for Approval");
    for (const path of ["/assets/member.js", "/assets/register.js"]) {
      const script = await api("GET", path);
      expect(script.headers.get("content-type")).toContain("text/javascript");
    }
  });
});

describe("demo seed", () => {
  it("creates Cafe Aroma once: a second seed returns the same keys and Nicola still has 150.00", async () => {
    const first = await api("POST", "/v1/dev/seed", { token: PLATFORM });
    const second = await api("POST", "/v1/dev/seed", { token: PLATFORM });
    expect(first.status).toBe(200);
    expect(second.body.terminal_key).toBe(first.body.terminal_key);
    expect(second.body.secret_key).toBe(first.body.secret_key);
    const member = await api("GET", `/v1/members/${first.body.member_id}`, { token: first.body.secret_key });
    expect(member.body.name).toBe("Nicola");
    expect(member.body.balances.credit).toEqual({ balance: 15000, available: 15000 });
    const till = await api("GET", "/v1/terminal", { token: first.body.terminal_key });
    expect(till.body.tenant).toMatchObject({ name: "Cafe Aroma", currency: "USD", minor_digits: 2 });
  });

  it("does not exist outside development", async () => {
    const app = buildApp();
    const reply = await app.fetch(
      new Request(`${ORIGIN}/v1/dev/seed`, { method: "POST", headers: { authorization: `Bearer ${PLATFORM}` } }),
      { ...env, ENVIRONMENT: "production" },
      { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext,
    );
    expect(reply.status).toBe(404);
    expect((await reply.json<any>()).error.code).toBe("not_found");
  });
});
