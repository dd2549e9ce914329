/**
 * A member of staff cannot act as the member: a sign-in link staff ask for goes to the member's phone, never to them;
 * every link is audited with who asked; and an answer given on a page opened from a link says so.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../src/auth/member-sessions";
import { api, approvalRequest, asMember, createOperation, createShop, drainOutbox, expectError, ORIGIN, PLATFORM, requireApproval, staffCookie, topUp, type Shop } from "./helpers";

const asStaff = (cookie: string, method: string, path: string) => api(method, path, { headers: { cookie, origin: ORIGIN } });

async function auditOf(shop: Shop) {
  return (await api("GET", "/v1/audit-log?limit=100", { token: shop.secret })).body.data as { action: string; actor: string; actor_type: string; subject_id: string; after: Record<string, unknown> }[];
}

/** A sale of 250.00 in credit, held and asked of the member. */
async function askedSale(shop: Shop) {
  const held = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "L-1", total: 25_000 }, payments: [{ method: "credit", amount: 25_000 }] });
  expect(held.status).toBe(201);
  const asked = await approvalRequest(shop, held.body.id);
  expect(asked.status).toBe(201);
  return { operation: held.body.id as string, request: asked.body.request.id as string };
}

describe("sign-in links the back office asks for", () => {
  it("a manager's link goes to the member's phone (202, masked); nothing in the answer opens the page; audited with who asked", async () => {
    const shop = await createShop();
    const manager = await staffCookie(shop, "manager");
    const sent = await asStaff(manager, "POST", `/v1/members/${shop.memberId}/portal-sessions`);
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ sent_to: "+61••••••678" });
    const sms = (await api("GET", "/v1/dev/sms?phone=%2B61412345678", { token: PLATFORM })).body.data;
    expect(sms[0].body).toMatch(/^Cafe Aroma: open your membership page with this link \(once, within 10 minutes\): https?:\/\/[^ ]+\/portal\/pl_[A-Za-z0-9_-]{43}\. Never share it\.$/);
    const [entry] = (await auditOf(shop)).filter((e) => e.action === "member.portal_link_created");
    expect(entry).toMatchObject({ actor_type: "staff", subject_id: shop.memberId, after: { delivered: "sms", sent_to: "+61••••••678" } });
    expect(entry.actor).toMatch(/^stf_/);
  });

  it("staff links count with sign-in codes, never against the tills' SMS: over that budget no link is made", async () => {
    const shop = await createShop();
    expect((await api("PATCH", "/v1/settings", { token: shop.secret, body: { sms_signin_per_hour: 1, sms_per_hour: 1 } })).status).toBe(200);
    const manager = await staffCookie(shop, "manager");
    expect((await asStaff(manager, "POST", `/v1/members/${shop.memberId}/portal-sessions`)).status).toBe(202);
    const over = await asStaff(manager, "POST", `/v1/members/${shop.memberId}/portal-sessions`);
    expectError(over, 429, "rate_limited");
    expect(over.body.error.details.budget).toBe("sms_signin_per_hour");
    expect((await auditOf(shop)).filter((e) => e.action === "member.portal_link_created")).toHaveLength(1);
  });

  it("a secret key (the merchant's own app) still gets the URL (201), audited as shown", async () => {
    const shop = await createShop();
    const made = await api("POST", `/v1/members/${shop.memberId}/portal-sessions`, { token: shop.secret });
    expect(made.status).toBe(201);
    expect(Object.keys(made.body).sort()).toEqual(["expires_at", "url"]);
    const [entry] = (await auditOf(shop)).filter((e) => e.action === "member.portal_link_created");
    expect(entry).toMatchObject({ actor_type: "secret_key", subject_id: shop.memberId, after: { delivered: "shown" } });
  });

  it("an approval given on a page opened from a link carries via: link on the request, its event and the console; the member's own, via: member", async () => {
    const shop = await createShop();
    await topUp(shop, 50_000);
    await requireApproval(shop);
    // The page opened from a link.
    const made = await api("POST", `/v1/members/${shop.memberId}/portal-sessions`, { token: shop.secret });
    const portal = await api("GET", new URL(made.body.url).pathname);
    const linkCookie = portal.headers.get("set-cookie")!.split(";")[0];
    const byLink = await askedSale(shop);
    const approved = await asMember(linkCookie, "POST", `/v1/me/approval-requests/${byLink.request}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "approved", via: "link" });
    // The member's own sign-in (by phone and code).
    const own = await createSession(env.DB, shop.tenantId, shop.memberId, "member");
    const byMember = await askedSale(shop);
    expect((await asMember(`${SESSION_COOKIE}=${own.token}`, "POST", `/v1/me/approval-requests/${byMember.request}/reject`)).body).toMatchObject({ status: "rejected", via: "member" });

    await drainOutbox(shop);
    const events = (await api("GET", "/v1/events?type=approval_request.answered", { token: shop.secret })).body.data;
    const viaOf = (id: string) => events.find((e: { data: { approval_request: { id: string } } }) => e.data.approval_request.id === id).data.approval_request.via;
    expect([viaOf(byLink.request), viaOf(byMember.request)]).toEqual(["link", "member"]);
    const owner = await staffCookie(shop, "owner");
    const linkPage = (await asStaff(owner, "GET", `/console/operations/${byLink.operation}`)).body as string;
    expect(linkPage).toContain('data-via="link"');
    expect(linkPage).toContain("MobiSecure approval: approved on a page opened from a back-office link");
    expect((await asStaff(owner, "GET", `/console/operations/${byMember.operation}`)).body as string).not.toContain('data-via="link"');
  });

  it("a link to a member of another business is a 404, and security staff may not ask for one", async () => {
    const shop = await createShop();
    const other = await createShop();
    expectError(await asStaff(await staffCookie(other, "owner"), "POST", `/v1/members/${shop.memberId}/portal-sessions`), 404, "member_not_found");
    expectError(await asStaff(await staffCookie(shop, "security"), "POST", `/v1/members/${shop.memberId}/portal-sessions`), 403, "forbidden");
  });
});
