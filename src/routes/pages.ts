/** The hosted pages: portal links, the member page, the reference register, and their scripts. */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";

import { createSession, portalLinkTenant, redeemPortalLink, SESSION_COOKIE, sessionCookie, verifySession } from "../auth/member-sessions";
import { findMember, othersOnPhone } from "../db/members";
import { loadTenantIfAny } from "../db/tenants";
import { minorDigits } from "../lib/money";
import { MemberLoginPage, MemberPage, NoticePage } from "../pages/member-page";
import { LOGIN_SCRIPT } from "../pages/login-script";
import { MEMBER_SCRIPT } from "../pages/member-script";
import { devMessages } from "../db/dev-sms";
import { errorBody } from "../lib/errors";
import { RegisterPage } from "../pages/register-page";
import { REGISTER_SCRIPT } from "../pages/register-script";
import type { App, AppEnv } from "./endpoint";
import { html, PAGE_HEADERS, script } from "./html";
import { historyPage } from "../operations/member-history";
import { isLoopbackClient } from "../lib/client-address";
import { accountOf } from "../objects";

/** The development SMS panel is shown, and answers, in development to a loopback client only. */
const devPanel = (c: Context<AppEnv>) => c.env.ENVIRONMENT === "development" && isLoopbackClient(c.req.raw);

export function pageRoutes(app: App): void {
  app.get("/assets/member.js", (c) => script(c, MEMBER_SCRIPT));
  app.get("/assets/register.js", (c) => script(c, REGISTER_SCRIPT));

  app.get("/assets/login.js", (c) => script(c, LOGIN_SCRIPT));

  // Development only, and only to a browser on this machine: the tenant's SMS outbox, shown on the sign-in page
  // instead of a phone (anyone else reaching a development server must not read sign-in codes).
  app.get("/m/:tenant_id/dev-sms", async (c) => {
    if (!devPanel(c)) return c.json(errorBody("not_found", `No route for GET ${c.req.path}`), 404);
    return c.json({ data: await devMessages(c.env.DB, { tenantId: c.req.param("tenant_id") }, 5) });
  });

  app.get("/register", (c) => html(c, `<!doctype html>${RegisterPage()}`));

  // A one-time link: sets the session cookie and redirects to the member page. The cookie is SameSite=Lax so that it
  // travels with that redirect when the link was opened from another site (an SMS, a mail); the member API's writes
  // are POSTs and its socket checks the Origin, and neither carries a Lax cookie from another site.
  app.get("/portal/:token", async (c) => {
    const link = await redeemPortalLink(c.env.DB, c.req.param("token"));
    if (!link) {
      // An ended link of a known program opens that program's sign-in, saying why; an unknown one says what to do.
      const tenantId = await portalLinkTenant(c.env.DB, c.req.param("token"));
      const tenant = tenantId ? await loadTenantIfAny(c.env.DB, tenantId) : null;
      const page = tenant
        ? MemberLoginPage({ tenantId: tenant.id, tenantName: tenant.name, development: devPanel(c), linkEnded: true })
        : NoticePage({
            title: "Sign-in link",
            heading: "This link does not work",
            text: "It has expired, was already used, or was not copied whole. Ask the store for a new link, or open your membership page and sign in with your phone number.",
          });
      return html(c, `<!doctype html>${page}`, 404);
    }
    const session = await createSession(c.env.DB, link.tenantId, link.memberId, "link");
    return c.body(null, 302, {
      ...PAGE_HEADERS,
      location: `/m/${link.tenantId}`,
      "set-cookie": sessionCookie(session.token, session.maxAgeSeconds, c.env.ENVIRONMENT !== "development"),
    });
  });

  app.get("/m/:tenant_id", async (c) => {
    const tenant = await loadTenantIfAny(c.env.DB, c.req.param("tenant_id"));
    if (!tenant) return html(c, `<!doctype html>${NoticePage({ title: "Not found", heading: "No such membership program", text: "Check the address, or ask the store for a link to your membership page." })}`, 404);
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await verifySession(c.env.DB, token) : null;
    const member = session && session.tenantId === tenant.id ? await findMember(c.env.DB, tenant.id, session.memberId) : null;
    if (!member) {
      return html(c, `<!doctype html>${MemberLoginPage({ tenantId: tenant.id, tenantName: tenant.name, development: devPanel(c) })}`);
    }

    const account = { tenant_id: tenant.id, member_id: member.id };
    const stub = accountOf(c.env, account);
    const [summary, history, pending, others] = await Promise.all([
      stub.summary(account),
      historyPage(c.env, tenant.id, member.id, { limit: 20 }),
      stub.approvalRequests("pending", 20, null),
      othersOnPhone(c.env.DB, member),
    ]);
    const data = {
      tenant: { id: tenant.id, name: tenant.name, currency: tenant.currency, minor_digits: minorDigits(tenant.currency) },
      member: { id: member.id, name: member.name },
      balances: summary.balances,
      cards: summary.cards,
      history: history.data,
      pending: pending.data,
      others,
    };
    return html(c, `<!doctype html>${MemberPage({ data })}`);
  });
}
