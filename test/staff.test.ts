/** Merchant staff: sign-up, console sessions, passwords, invites, roles on every back-office route, the Origin rule. */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import app from "../src/index";
import { STAFF_ROLES, type StaffRole } from "../src/auth/principal";
import { STAFF_ROUTES } from "../src/auth/staff-roles";
import { documented } from "../src/routes/endpoint";
import { api, createShop, expectError, ORIGIN, PLATFORM, uniqueCard, type Reply } from "./helpers";

const PASSWORD = "correct horse battery staple";
let emails = 0;
const newEmail = () => `owner${++emails}.${Date.now()}@cafe.example`;

/**
 * The console's origin and an address of its own: password checks are budgeted per address (20 a minute), and each
 * test here stands for a different person unless it says otherwise.
 */
let addresses = 0;
const fromSomewhere = (address = `198.51.100.${++addresses % 250}`) => ({ origin: ORIGIN, "cf-connecting-ip": address });

/** A console call with the staff cookie, from the console's own origin (unless told otherwise). */
function asStaff(cookie: string, method: string, path: string, body?: unknown, origin: string | null = ORIGIN) {
  return api(method, path, { body, headers: { cookie, ...(origin ? { origin } : {}) } });
}

const cookieOf = (reply: Reply) => reply.headers.get("set-cookie")!.split(";")[0];

async function signUp(email = newEmail(), password = PASSWORD) {
  const reply = await api("POST", "/v1/signup", {
    body: { business_name: "Cafe Aroma", currency: "USD", timezone: "Australia/Sydney", email, password },
    headers: fromSomewhere(),
  });
  expect(reply.status).toBe(201);
  return { email, cookie: cookieOf(reply), tenantId: reply.body.tenant.id as string, staffId: reply.body.staff.id as string };
}

const signIn = (email: string, password: string) => api("POST", "/v1/staff-sessions", { body: { email, password }, headers: fromSomewhere() });

/** The owner invites someone in a role; they accept and are signed in. */
async function invite(ownerCookie: string, role: StaffRole) {
  const email = newEmail();
  const invited = await asStaff(ownerCookie, "POST", "/v1/staff", { email, role });
  expect(invited.status).toBe(201);
  const token = new URL(invited.body.invite_url).pathname.split("/").pop()!;
  const accepted = await api("POST", `/v1/staff-invites/${token}`, { body: { password: PASSWORD }, headers: fromSomewhere() });
  expect(accepted.status).toBe(200);
  return { email, cookie: cookieOf(accepted), staffId: invited.body.staff.id as string, token };
}

describe("sign-up", () => {
  it("creates the business and its owner, and signs the owner in with an HttpOnly, SameSite=Lax cookie", async () => {
    const email = newEmail();
    const reply = await api("POST", "/v1/signup", {
      body: { business_name: "Cafe Aroma", currency: "USD", timezone: "Australia/Sydney", email: email.toUpperCase(), password: PASSWORD },
      headers: fromSomewhere(),
    });
    expect(reply.status).toBe(201);
    expect(reply.body.tenant).toMatchObject({ name: "Cafe Aroma", currency: "USD", timezone: "Australia/Sydney" });
    expect(reply.body.staff).toMatchObject({ email, role: "owner" });
    expect(reply.body.staff.id).toMatch(/^stf_/);
    expect(reply.headers.get("set-cookie")).toMatch(/^tillsafe_staff=ss_[A-Za-z0-9_-]{43}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/);
    const me = await asStaff(cookieOf(reply), "GET", "/v1/staff/me");
    expect(me.body).toEqual({ staff: reply.body.staff, tenant: reply.body.tenant });
  });

  it("refuses weak passwords, a taken email and another site's form, and creates nothing", async () => {
    const email = newEmail();
    const body = (password: string, address = email) => ({ business_name: "Weak", currency: "USD", timezone: "UTC", email: address, password });
    for (const password of ["short", email, "password1234", "aaaaaaaaaaaaaaa"]) {
      const reply = await api("POST", "/v1/signup", { body: body(password), headers: fromSomewhere() });
      expectError(reply, 400, "weak_password");
      expect(reply.body.error.details).toEqual({ field: "password" });
    }
    const taken = await signUp();
    expectError(await api("POST", "/v1/signup", { body: body(PASSWORD, taken.email), headers: fromSomewhere() }), 409, "email_taken");
    expectError(await api("POST", "/v1/signup", { body: body(PASSWORD), headers: { origin: "https://evil.example" } }), 403, "forbidden");
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM staff WHERE email = ?").bind(email).first("n")).toBe(0);
  });

  it("where sign-up is not open, only with the platform's invite, once", async () => {
    const closed = { ...env, SIGNUP: "invite" };
    const post = (invite?: string) =>
      app.fetch(
        new Request(`${ORIGIN}/v1/signup`, {
          method: "POST",
          headers: { "content-type": "application/json", ...fromSomewhere() },
          body: JSON.stringify({ business_name: "Invited", currency: "EUR", timezone: "Europe/Berlin", email: newEmail(), password: PASSWORD, ...(invite ? { invite } : {}) }),
        }),
        closed,
        createExecutionContext(),
      );
    const refused = await post();
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("invite_required");
    const link = await api("POST", "/v1/tenant-invites", { token: PLATFORM });
    expect(link.status).toBe(201);
    expect(link.body.url).toMatch(/\/console\/signup\/ti_[A-Za-z0-9_-]{43}$/);
    const token = link.body.url.split("/").pop();
    expect((await post(token)).status).toBe(201);
    expect((await post(token)).status).toBe(403);
    expectError(await api("POST", "/v1/tenant-invites", { token: (await createShop()).secret }), 403, "forbidden");
  });
});

describe("signing in", () => {
  it("an unknown email and a wrong password get the same 401; the right one signs in", async () => {
    const { email } = await signUp();
    const wrong = await signIn(email, "not the password at all");
    const unknown = await signIn(newEmail(), "not the password at all");
    expectError(wrong, 401, "invalid_credentials");
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: wrong.status, body: wrong.body });
    const right = await signIn(email, PASSWORD);
    expect(right.status).toBe(200);
    expect(right.body.staff).toMatchObject({ email, role: "owner" });
    expect((await asStaff(cookieOf(right), "GET", "/v1/staff/me")).status).toBe(200);
  });

  it("a burst of wrong passwords sent at once gets no more than 5 tries", async () => {
    const { email } = await signUp();
    const replies = await Promise.all(Array.from({ length: 9 }, (_, i) => signIn(email, `burst guess number ${i}`)));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expectError(await signIn(email, PASSWORD), 429, "rate_limited");
  });

  it("one address gets 20 password checks a minute, whatever the emails; another address is not held up", async () => {
    const from = (address: string) => api("POST", "/v1/staff-sessions", { body: { email: newEmail(), password: PASSWORD }, headers: fromSomewhere(address) });
    // The binding counts in fixed 60-second windows: a run that crosses a window's end may get up to 20 more.
    const statuses: number[] = [];
    while (statuses.length < 45 && !statuses.includes(429)) statuses.push((await from("203.0.113.77")).status);
    const first429 = statuses.indexOf(429);
    expect(first429).toBeGreaterThanOrEqual(20);
    expect(first429).toBeLessThanOrEqual(40);
    expect(statuses.slice(0, first429)).toEqual(Array(first429).fill(401));
    const refused = await from("203.0.113.77");
    expectError(refused, 429, "rate_limited");
    expect([refused.body.error.details.retry_after, refused.headers.get("retry-after")]).toEqual([60, "60"]);
    // Sign-up draws on the same budget; another address is not held up.
    expectError(await api("POST", "/v1/signup", { body: { business_name: "X", currency: "USD", timezone: "UTC", email: newEmail(), password: PASSWORD }, headers: fromSomewhere("203.0.113.77") }), 429, "rate_limited");
    expectError(await from("203.0.113.78"), 401, "invalid_credentials");
  });

  it("where sign-up is closed, a taken email is not revealed without a live invite", async () => {
    const taken = await signUp();
    const closed = { ...env, SIGNUP: "invite" };
    const reply = await app.fetch(
      new Request(`${ORIGIN}/v1/signup`, {
        method: "POST",
        headers: { "content-type": "application/json", ...fromSomewhere() },
        body: JSON.stringify({ business_name: "Probe", currency: "USD", timezone: "UTC", email: taken.email, password: PASSWORD }),
      }),
      closed,
      createExecutionContext(),
    );
    expect(reply.status).toBe(403);
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe("invite_required");
  });

  it("after 5 failures for an email in 15 minutes: 429 with Retry-After, also for the right password", async () => {
    const { email } = await signUp();
    for (let i = 0; i < 5; i++) expectError(await signIn(email, `wrong password number ${i}`), 401, "invalid_credentials");
    const locked = await signIn(email, PASSWORD);
    expectError(locked, 429, "rate_limited");
    const wait = Number(locked.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(900);
    // Another email is not held back.
    const other = await signUp();
    expect((await signIn(other.email, PASSWORD)).status).toBe(200);
  });

  it("signing out ends the session; a password change ends the others and keeps this one", async () => {
    const { email, cookie } = await signUp();
    const second = cookieOf(await signIn(email, PASSWORD));
    const third = cookieOf(await signIn(email, PASSWORD));
    const out = await asStaff(third, "DELETE", "/v1/staff-sessions/current");
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toBe("tillsafe_staff=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
    expectError(await asStaff(third, "GET", "/v1/staff/me"), 401, "unauthenticated");

    const bad = await asStaff(cookie, "POST", "/v1/staff/me/password", { current: "not it at all, no", new: "a brand new passphrase" });
    expectError(bad, 401, "invalid_credentials");
    expectError(await asStaff(cookie, "POST", "/v1/staff/me/password", { current: PASSWORD, new: "short" }), 400, "weak_password");
    const changed = await asStaff(cookie, "POST", "/v1/staff/me/password", { current: PASSWORD, new: "a brand new passphrase" });
    expect(changed.status).toBe(200);
    expect((await asStaff(cookie, "GET", "/v1/staff/me")).status).toBe(200);
    expectError(await asStaff(second, "GET", "/v1/staff/me"), 401, "unauthenticated");
    expectError(await signIn(email, PASSWORD), 401, "invalid_credentials");
    expect((await signIn(email, "a brand new passphrase")).status).toBe(200);
  });

  it("a secret key is not a member of staff", async () => {
    const shop = await createShop();
    expectError(await api("GET", "/v1/staff/me", { token: shop.secret }), 403, "forbidden");
  });
});

describe("staff and roles", () => {
  it("an invite is used once; a weak password leaves it working", async () => {
    const owner = await signUp();
    const email = newEmail();
    const invited = await asStaff(owner.cookie, "POST", "/v1/staff", { email, role: "security" });
    expect(invited.body.staff).toMatchObject({ email, role: "security" });
    expect(invited.body.invite_url).toMatch(/\/console\/invite\/si_[A-Za-z0-9_-]{43}$/);
    const token = invited.body.invite_url.split("/").pop();
    expectError(await api("POST", `/v1/staff-invites/${token}`, { body: { password: "short" }, headers: fromSomewhere() }), 400, "weak_password");
    // Not yet accepted: the member of staff cannot sign in.
    expectError(await signIn(email, PASSWORD), 401, "invalid_credentials");
    expect((await api("POST", `/v1/staff-invites/${token}`, { body: { password: PASSWORD }, headers: fromSomewhere() })).status).toBe(200);
    expectError(await api("POST", `/v1/staff-invites/${token}`, { body: { password: PASSWORD }, headers: fromSomewhere() }), 404, "invite_not_found");
    expect((await signIn(email, PASSWORD)).body.staff).toMatchObject({ email, role: "security" });
    expectError(await asStaff(owner.cookie, "POST", "/v1/staff", { email, role: "manager" }), 409, "email_taken");
    // Accepted once, audited once (the weak password and the second use wrote nothing), as the new member of staff.
    const log = (await asStaff(owner.cookie, "GET", "/v1/audit-log?limit=100")).body.data as { action: string; actor: string }[];
    expect(log.filter((e) => e.action === "staff.invite_accepted")).toMatchObject([{ actor: invited.body.staff.id }]);
  });

  it("an owner still invited (no password yet) does not count as another owner", async () => {
    const owner = await signUp();
    const pending = await asStaff(owner.cookie, "POST", "/v1/staff", { email: newEmail(), role: "owner" });
    expect(pending.status).toBe(201);
    expectError(await asStaff(owner.cookie, "PATCH", `/v1/staff/${owner.staffId}`, { role: "manager" }), 409, "last_owner");
    expectError(await asStaff(owner.cookie, "DELETE", `/v1/staff/${owner.staffId}`), 409, "last_owner");
  });

  it("the last owner can be neither demoted nor removed; a removed member's sessions end at once", async () => {
    const owner = await signUp();
    expectError(await asStaff(owner.cookie, "PATCH", `/v1/staff/${owner.staffId}`, { role: "manager" }), 409, "last_owner");
    expectError(await asStaff(owner.cookie, "DELETE", `/v1/staff/${owner.staffId}`), 409, "last_owner");
    const second = await invite(owner.cookie, "manager");
    expect((await asStaff(owner.cookie, "PATCH", `/v1/staff/${second.staffId}`, { role: "owner" })).body.role).toBe("owner");
    expect((await asStaff(owner.cookie, "PATCH", `/v1/staff/${owner.staffId}`, { role: "manager" })).body.role).toBe("manager");
    // The demoted owner's session now works as a manager: staff are the owner's business.
    expectError(await asStaff(owner.cookie, "GET", "/v1/staff/me").then(() => asStaff(owner.cookie, "POST", "/v1/staff", { email: newEmail(), role: "manager" })), 403, "forbidden");
    const removed = await asStaff(second.cookie, "DELETE", `/v1/staff/${owner.staffId}`);
    expect(removed.body).toMatchObject({ id: owner.staffId, deleted: true });
    expectError(await asStaff(owner.cookie, "GET", "/v1/staff/me"), 401, "unauthenticated");
    const other = await signUp();
    expectError(await asStaff(other.cookie, "PATCH", `/v1/staff/${second.staffId}`, { role: "security" }), 404, "staff_not_found");
  });

  it("every back-office route, for every role: allowed as the table says, else 403 — checked before anything else", async () => {
    const owner = await signUp();
    const cookies: Record<StaffRole, string> = {
      owner: owner.cookie,
      manager: (await invite(owner.cookie, "manager")).cookie,
      security: (await invite(owner.cookie, "security")).cookie,
    };
    // Signing out comes last: it ends the session the other calls use.
    const signOut = (route: { path: string }) => (route.path === "/v1/staff-sessions/current" ? 1 : 0);
    const backOffice = documented.filter((route) => route.auth.includes("secret")).sort((a, b) => signOut(a) - signOut(b));
    // The table names every back-office route, and nothing else.
    expect(backOffice.map((route) => `${route.method.toUpperCase()} ${route.path}`).sort()).toEqual(Object.keys(STAFF_ROUTES).sort());
    const ids: Record<string, string> = { id: "x_0000000000000000", number: uniqueCard() };
    const seen: string[] = [];
    for (const route of backOffice) {
      const path = route.path.replace(/:(\w+)/g, (_, name: string) => ids[name]);
      for (const role of STAFF_ROLES) {
        const reply = await asStaff(cookies[role], route.method.toUpperCase(), path, route.method === "get" || route.method === "delete" ? undefined : {});
        const allowed = STAFF_ROUTES[`${route.method.toUpperCase()} ${route.path}`].includes(role);
        const refused = reply.status === 403 && reply.body?.error?.code === "forbidden";
        seen.push(`${role} ${route.method} ${route.path} ${allowed ? "allowed" : "refused"}`);
        expect(refused, `${role} ${route.method.toUpperCase()} ${route.path} → ${reply.status}`).toBe(!allowed);
      }
    }
    expect(seen.length).toBe(backOffice.length * 3);
    // A sample of the table, spelled out.
    expect(STAFF_ROUTES["PATCH /v1/settings"]).toEqual(["owner", "manager"]);
    expect(STAFF_ROUTES["POST /v1/cards/:number/block"]).toEqual(["owner", "manager", "security"]);
    expect(STAFF_ROUTES["POST /v1/secret-keys"]).toEqual(["owner"]);
  });

  it("security reads and blocks cards, and changes no setting", async () => {
    const owner = await signUp();
    const security = await invite(owner.cookie, "security");
    expect((await asStaff(security.cookie, "GET", "/v1/settings")).status).toBe(200);
    expectError(await asStaff(security.cookie, "PATCH", "/v1/settings", { hold_ttl_seconds: 60 }), 403, "forbidden");
    expect((await asStaff(owner.cookie, "GET", "/v1/settings")).body.hold_ttl_seconds).toBe(900);
    const member = await asStaff(owner.cookie, "POST", "/v1/members", { name: "Nicola", phone: "+61412345678" });
    const card = uniqueCard();
    expect((await asStaff(owner.cookie, "POST", `/v1/members/${member.body.id}/cards`, { number: card })).status).toBe(201);
    const blocked = await asStaff(security.cookie, "POST", `/v1/cards/${card}/block`, { reason: "reported lost" });
    expect(blocked.body.status).toBe("blocked");
  });
});

describe("the console's own Origin", () => {
  it("a change made with the cookie but without the console's Origin is 403 and changes nothing; reads need none", async () => {
    const owner = await signUp();
    expectError(await asStaff(owner.cookie, "POST", "/v1/stores", { name: "Forged" }, null), 403, "forbidden");
    expectError(await asStaff(owner.cookie, "POST", "/v1/stores", { name: "Forged" }, "https://evil.example"), 403, "forbidden");
    const form = await api("POST", "/v1/stores", { raw: "name=Forged", headers: { cookie: owner.cookie, "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" } });
    expect(form.status).toBe(403);
    const stores = await asStaff(owner.cookie, "GET", "/v1/stores", undefined, null);
    expect(stores.status).toBe(200);
    expect(stores.body.data).toEqual([]);
  });

  it("a change made in the console is in the audit log with the member of staff as actor", async () => {
    const owner = await signUp();
    const limit = await asStaff(owner.cookie, "POST", "/v1/limits", { scope: "card", metric: "purchase_count", period: "day", hard: 5 });
    expect(limit.status).toBe(201);
    const audit = await asStaff(owner.cookie, "GET", "/v1/audit-log");
    expect(audit.body.data[0]).toMatchObject({ actor: owner.staffId, action: "limit.created", subject_id: limit.body.id });
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(["limit.created", "tenant.signed_up"]);
  });

  it("a secret key cannot manage staff: a leaked machine key must not become an owner login", async () => {
    const shop = await createShop();
    expectError(await api("POST", "/v1/staff", { token: shop.secret, body: { email: newEmail(), role: "owner" } }), 403, "forbidden");
    expectError(await api("PATCH", "/v1/staff/stf_0000000000000000", { token: shop.secret, body: { role: "owner" } }), 403, "forbidden");
    expectError(await api("DELETE", "/v1/staff/stf_0000000000000000", { token: shop.secret }), 403, "forbidden");
  });

  it("every change made in the console is audited with the member of staff as actor, before and after", async () => {
    const owner = await signUp();
    const call = async (method: string, path: string, body?: unknown) => {
      const reply = await asStaff(owner.cookie, method, path, body);
      expect(reply.status, `${method} ${path}`).toBeLessThan(300);
      return reply.body;
    };
    await call("PATCH", "/v1/settings", { approval_required_for: ["credit"] });
    const store = await call("POST", "/v1/stores", { name: "King St" });
    await call("PATCH", `/v1/stores/${store.id}`, { sms_confirm_points_deduction: true });
    const register = await call("POST", `/v1/stores/${store.id}/registers`, { name: "Front counter" });
    const secret = await call("POST", "/v1/secret-keys");
    await call("POST", `/v1/keys/${secret.key.id}/revoke`);
    const hook = await call("POST", "/v1/webhook-endpoints", { url: "https://hooks.example.com/x", events: ["alert.raised"] });
    await call("DELETE", `/v1/webhook-endpoints/${hook.id}`);
    const member = await call("POST", "/v1/members", { name: "Nicola", phone: "+61412345678" });
    const card = uniqueCard();
    await call("POST", `/v1/members/${member.id}/cards`, { number: card });
    await call("POST", `/v1/cards/${card}/block`, { reason: "lost" });
    await call("POST", `/v1/cards/${card}/unblock`);
    await call("POST", `/v1/cards/${card}/replace`, { new_number: uniqueCard() });
    const audit = await asStaff(owner.cookie, "GET", "/v1/audit-log?limit=100");
    const entries = audit.body.data as { actor: string; action: string; subject_id: string; before: any; after: any }[];
    expect(entries.map((e) => e.action).reverse()).toEqual([
      "tenant.signed_up",
      "settings.changed",
      "store.created",
      "store.changed",
      "register.created",
      "key.issued",
      "key.revoked",
      "webhook_endpoint.created",
      "webhook_endpoint.deleted",
      "member.created",
      "card.issued",
      "card.blocked",
      "card.unblocked",
      "card.replaced",
    ]);
    expect(new Set(entries.map((e) => e.actor))).toEqual(new Set([owner.staffId]));
    const settings = entries.find((e) => e.action === "settings.changed")!;
    expect([settings.before.approval_required_for, settings.after.approval_required_for]).toEqual([[], ["credit"]]);
    const changed = entries.find((e) => e.action === "store.changed")!;
    expect([changed.before.sms_confirm_points_deduction, changed.after.sms_confirm_points_deduction]).toEqual([false, true]);
    expect(entries.find((e) => e.action === "register.created")!.subject_id).toBe(register.register.id);
    expect(entries.find((e) => e.action === "card.blocked")!.after).toMatchObject({ number: card, status: "blocked" });
  });
});

describe("changes that may be refused are audited with them, or not at all", () => {
  const actions = async (cookie: string) =>
    ((await asStaff(cookie, "GET", "/v1/audit-log?limit=100")).body.data as { action: string; subject_id: string }[]).map((e) => `${e.action} ${e.subject_id}`);

  it("a refused last-owner change writes no entry; role changes and removals write one each", async () => {
    const owner = await signUp();
    expectError(await asStaff(owner.cookie, "PATCH", `/v1/staff/${owner.staffId}`, { role: "manager" }), 409, "last_owner");
    expectError(await asStaff(owner.cookie, "DELETE", `/v1/staff/${owner.staffId}`), 409, "last_owner");
    const second = await invite(owner.cookie, "manager");
    expect((await asStaff(owner.cookie, "PATCH", `/v1/staff/${second.staffId}`, { role: "security" })).status).toBe(200);
    expect((await asStaff(owner.cookie, "DELETE", `/v1/staff/${second.staffId}`)).status).toBe(200);
    expect((await actions(owner.cookie)).filter((a) => !a.startsWith("tenant.") && !a.startsWith("staff.invite"))).toEqual([
      `staff.removed ${second.staffId}`,
      `staff.role_changed ${second.staffId}`,
    ]);
  });

  it("two revocations of one key at once: one 200, one 404, one entry; the same for a webhook endpoint", async () => {
    const owner = await signUp();
    const key = (await asStaff(owner.cookie, "POST", "/v1/secret-keys")).body.key.id as string;
    const hook = (await asStaff(owner.cookie, "POST", "/v1/webhook-endpoints", { url: "https://hooks.example.com/x", events: ["alert.raised"] })).body.id as string;
    const revoked = await Promise.all([1, 2].map(() => asStaff(owner.cookie, "POST", `/v1/keys/${key}/revoke`)));
    expect(revoked.map((r) => r.status).sort()).toEqual([200, 404]);
    const deleted = await Promise.all([1, 2].map(() => asStaff(owner.cookie, "DELETE", `/v1/webhook-endpoints/${hook}`)));
    expect(deleted.map((r) => r.status).sort()).toEqual([200, 404]);
    const log = await actions(owner.cookie);
    expect(log.filter((a) => a === `key.revoked ${key}`)).toHaveLength(1);
    expect(log.filter((a) => a === `webhook_endpoint.deleted ${hook}`)).toHaveLength(1);
    const entry = (await asStaff(owner.cookie, "GET", "/v1/audit-log?limit=100")).body.data.find((e: { action: string }) => e.action === "key.revoked");
    expect([entry.before.revoked_at, typeof entry.after.revoked_at]).toEqual([null, "string"]);
  });
});

describe("the console's pages", () => {
  it("welcome when signed out, home when signed in; the set-up needs a session", async () => {
    const page = (path: string, cookie?: string) => api("GET", path, { headers: cookie ? { cookie } : {} });
    const welcome = await page("/console");
    expect(welcome.status).toBe(200);
    expect(welcome.body).toContain('id="signup-form"');
    expect(welcome.headers.get("content-security-policy")).toContain("script-src 'self'");
    const setup = await page("/console/setup");
    expect(setup.status).toBe(302);
    expect(setup.headers.get("location")).toBe("/console");
    const owner = await signUp();
    const home = await page("/console", owner.cookie);
    expect(home.body).toContain("Signed in as " + owner.email + " (owner)");
    expect(home.body).toContain("No store yet.");
    expect((await page("/console/setup", owner.cookie)).body).toContain('id="store-form"');
    expect((await page("/console/invite/si_x")).body).toContain('data-token="si_x"');
    expect((await page("/console/signup/ti_x")).body).toContain('data-invite="ti_x"');
    expect((await page("/assets/console.js")).headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    for (const path of ["/console/settings", "/console/staff"]) expect((await page(path)).status).toBe(302);
    expect((await page("/console/settings", owner.cookie)).body).toContain('id="settings-form"');
    expect((await page("/console/staff", owner.cookie)).body).toContain(`${owner.email} (you)`);
    // A security member of staff sees the settings without a way to save them, and staff without owner controls.
    const security = await invite(owner.cookie, "security");
    const settings = (await page("/console/settings", security.cookie)).body as string;
    expect(settings).toContain("Security staff see the settings");
    expect(settings).not.toContain("Save settings");
    expect((await page("/console/staff", security.cookie)).body).not.toContain("invite-staff-form");
  });

  it("stores and keys: each role sees the controls its role allows, and another business's keys never", async () => {
    const owner = await signUp();
    const page = async (path: string, cookie: string) => (await api("GET", path, { headers: { cookie } })).body as string;
    for (const path of ["/console/stores", "/console/developers"]) expect((await api("GET", path)).status).toBe(302);
    const store = (await asStaff(owner.cookie, "POST", "/v1/stores", { name: "King St" })).body;
    const register = (await asStaff(owner.cookie, "POST", `/v1/stores/${store.id}/registers`, { name: "Front counter" })).body;
    expect(register.key).toMatchObject({ kind: "terminal", register_id: register.register.id, revoked_at: null, last_used_at: null });
    const secret = (await asStaff(owner.cookie, "POST", "/v1/secret-keys")).body;
    const other = await signUp();
    await asStaff(other.cookie, "POST", "/v1/secret-keys");

    const stores = await page("/console/stores", owner.cookie);
    expect(stores).toContain(`data-key="${register.key.id}"`);
    expect(stores).toContain(`data-revoke-key="${register.key.id}"`);
    expect(stores).toContain(`data-new-key="${register.register.id}"`);
    expect(stores).toContain(`data-add-register="${store.id}"`);
    const developers = await page("/console/developers", owner.cookie);
    expect(developers.match(/data-key="/g)).toHaveLength(1);
    expect(developers).toContain(`data-revoke-key="${secret.key.id}"`);
    expect(developers).toContain('id="endpoint-form"');

    const manager = await invite(owner.cookie, "manager");
    const managed = await page("/console/stores", manager.cookie);
    expect(managed).toContain(`data-add-register="${store.id}"`);
    expect(managed).not.toContain("data-revoke-key");
    expect(managed).not.toContain("data-new-key");
    const security = await invite(owner.cookie, "security");
    const watched = await page("/console/stores", security.cookie);
    expect(watched).not.toContain("data-add-register");
    expect(watched).toMatch(/<input type="checkbox" data-sms-store="[^"]+" disabled=""/);
    const read = await page("/console/developers", security.cookie);
    expect(read).toContain("Only an owner makes and revokes");
    expect(read).not.toContain("data-revoke-key");
    expect(read).not.toContain('id="endpoint-form"');
  });

  it("members: found in this business only; another business's member is a 404; security may not make links", async () => {
    const owner = await signUp();
    const page = (path: string, cookie = owner.cookie) => api("GET", path, { headers: { cookie } });
    expect((await api("GET", "/console/members")).status).toBe(302);
    const nicola = await asStaff(owner.cookie, "POST", "/v1/members", { name: "Nicola", phone: "+61412345678" });
    const list = (await page("/console/members?query=0412%20345%20678")).body as string;
    expect(list).toContain(`/console/members/${nicola.body.id}`);
    expect((await page("/console/members?query=nobody")).body).toContain("No member found.");
    const detail = (await page(`/console/members/${nicola.body.id}`)).body as string;
    expect(detail).toContain("Customer credit");
    expect(detail).toContain('id="portal-link"');
    const other = await signUp();
    expect((await page(`/console/members/${nicola.body.id}`, other.cookie)).status).toBe(404);
    expect((await page("/console/members?query=Nicola", other.cookie)).body).not.toContain(nicola.body.id);
    const security = await invite(owner.cookie, "security");
    const seen = (await page(`/console/members/${nicola.body.id}`, security.cookie)).body as string;
    expect(seen).not.toContain('id="portal-link"');
    expect(seen).toContain('id="revoke-sessions"');
  });
});
