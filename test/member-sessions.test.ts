/** A member's hosted-page sessions end: signing out, and the back office revoking them all (open pages close). */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { account, api, asMember, createShop, expectError, memberCookie, memberSocket, ORIGIN } from "./helpers";

const closeOf = (socket: WebSocket) => new Promise<number>((resolve) => socket.addEventListener("close", (event) => resolve(event.code)));

describe("member sessions end", () => {
  it("POST /v1/me/logout is 204: the cookie stops working at once, and the page open under it closes", async () => {
    const shop = await createShop();
    const cookie = await memberCookie(shop);
    const other = await memberCookie(shop);
    const page = await memberSocket(cookie);
    expect(page.status).toBe(101);
    const closed = closeOf(page.socket!);
    const out = await asMember(cookie, "POST", "/v1/me/logout");
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toBe("tillsafe_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
    expect(await closed).toBe(4001);
    expectError(await asMember(cookie, "GET", "/v1/me"), 401, "unauthenticated");
    // An upgrade that passed the session check just before the sign-out, reaching the account after it, is refused.
    const session = await env.DB.prepare("SELECT id FROM member_sessions WHERE member_id = ? AND revoked_at IS NOT NULL").bind(shop.memberId).first<{ id: string }>();
    const late = await account(shop).fetch(new Request("https://tillsafe.test/v1/me/events", { headers: { upgrade: "websocket", "x-tillsafe-session": session!.id } }));
    expect(late.status).toBe(401);
    // Another session of the same member goes on.
    expect((await asMember(other, "GET", "/v1/me")).status).toBe(200);
    // From another site the cookie may not sign anyone out.
    expectError(await api("POST", "/v1/me/logout", { headers: { cookie: other, origin: "https://evil.example" } }), 403, "forbidden");
    expect((await asMember(other, "GET", "/v1/me")).status).toBe(200);
  });

  it("the same with a Bearer ms_ token", async () => {
    const shop = await createShop();
    const token = (await memberCookie(shop)).split("=")[1];
    expect((await api("GET", "/v1/me", { token })).status).toBe(200);
    expect((await api("POST", "/v1/me/logout", { token })).status).toBe(204);
    expectError(await api("GET", "/v1/me", { token }), 401, "unauthenticated");
  });

  it("POST /v1/members/{id}/sessions/revoke ends every session, closes every open page, voids unused links, and is audited", async () => {
    const shop = await createShop();
    const [first, second] = [await memberCookie(shop), await memberCookie(shop)];
    const unused = await api("POST", `/v1/members/${shop.memberId}/portal-sessions`, { token: shop.secret });
    const pages = [await memberSocket(first), await memberSocket(second)];
    const closed = pages.map((page) => closeOf(page.socket!));
    const revoked = await api("POST", `/v1/members/${shop.memberId}/sessions/revoke`, { token: shop.secret });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ revoked: 2 });
    expect(await Promise.all(closed)).toEqual([4001, 4001]);
    for (const cookie of [first, second]) expectError(await asMember(cookie, "GET", "/v1/me"), 401, "unauthenticated");
    const link = await api("GET", new URL(unused.body.url).pathname);
    expect(link.headers.get("set-cookie")).toBeNull();
    // Nothing left to end.
    expect((await api("POST", `/v1/members/${shop.memberId}/sessions/revoke`, { token: shop.secret })).body).toEqual({ revoked: 0 });
    const audit = await api("GET", "/v1/audit-log", { token: shop.secret });
    expect(audit.body.data.filter((e: { action: string }) => e.action === "member.sessions_revoked").map((e: { after: object }) => e.after)).toEqual([
      { revoked: 0 },
      { revoked: 2 },
    ]);
  });

  it("counts only the sessions still live: one idle for 12 hours has ended by itself", async () => {
    const shop = await createShop();
    await memberCookie(shop);
    await memberCookie(shop);
    await env.DB.prepare(
      "UPDATE member_sessions SET last_seen_at = '2000-01-01T00:00:00.000Z' WHERE rowid = (SELECT MIN(rowid) FROM member_sessions WHERE member_id = ?)",
    )
      .bind(shop.memberId)
      .run();
    expect((await api("POST", `/v1/members/${shop.memberId}/sessions/revoke`, { token: shop.secret })).body).toEqual({ revoked: 1 });
  });

  it("another tenant's member is a 404, and a terminal key may not revoke", async () => {
    const shop = await createShop();
    const other = await createShop();
    const cookie = await memberCookie(shop);
    expectError(await api("POST", `/v1/members/${shop.memberId}/sessions/revoke`, { token: other.secret }), 404, "member_not_found");
    expectError(await api("POST", `/v1/members/${shop.memberId}/sessions/revoke`, { token: shop.terminal }), 403, "forbidden");
    expect((await api("GET", "/v1/me", { headers: { cookie, origin: ORIGIN } })).status).toBe(200);
  });
});
