/** The merchant console's pages: welcome (create a business, or sign in), invites, the guided set-up, home, stores, members, settings, staff, keys and webhooks. */
import { findStaff, staffOfTenant } from "../db/staff";
import { staffMay } from "../auth/staff-roles";
import { findMember } from "../db/members";
import { findMembers, memberWithAccount } from "../operations/find-members";
import { historyPage } from "../operations/member-history";
import { ConsoleMember, ConsoleMembers } from "../pages/console/console-members";
import { loadTenant, settingsOf } from "../db/tenants";
import { ConsoleHome, ConsoleInvite, ConsoleSetup, ConsoleWelcome } from "../pages/console/console-pages";
import { ConsoleSettings, ConsoleStaff } from "../pages/console/console-settings";
import { ConsoleStores } from "../pages/console/console-stores";
import { ConsoleDevelopers } from "../pages/console/console-developers";
import { liveKeysOfTenant } from "../db/keys";
import { storesNewestFirst, storesWithRegisters } from "../db/stores";
import { attemptsOf, liveWebhookEndpoints, presentEndpoint } from "../db/webhook-endpoints";
import { AlertItem, ConsoleAlerts } from "../pages/console/console-alerts";
import { alertContext, alertsToShow, findAlert } from "../db/alerts";
import { auditPage, type AuditRow } from "../db/audit";
import { ConsoleLimits } from "../pages/console/console-limits";
import { activeLimits } from "../db/limits";
import { limitCounters } from "../operations/limit-counters";
import { limitSentence } from "../limits/limit-words";
import { minorDigits } from "../lib/money";
import { ConsoleReport } from "../pages/console/console-report";
import { dailyReportOf } from "../operations/daily-report";
import { windowOf } from "../limits/calendar";
import { dashboardOf } from "../operations/dashboard";
import { ConsoleAudit } from "../pages/console/console-audit";
import { changesOf } from "../pages/console/audit-words";
import { sealAuditLog } from "../operations/audit-log";
import { ConsoleOperation, ConsoleOperations } from "../pages/console/console-operations";
import { operationsPage, refundsOf } from "../db/operations";
import { tenantShards } from "../shards/tenant-shards";
import { archiveOpen } from "../archive/day-archive";
import { windowBounds } from "../limits/counters-view";

import type { Operation } from "../accounts/operation";
import { valueOf } from "../lib/outcome";
import { isRefusal } from "../lib/refusal";
import { memberOfOperation } from "../lib/ids";
import { CONSOLE_SCRIPT } from "../pages/console/console-script";
import type { App } from "./endpoint";
import { businessName, CURRENCIES, liveKey, placeNames, sessionOf, timeZones, toConsole } from "./console-session";
import { html, PAGE_HEADERS, script } from "./html";
import { CreateLimit, DailyReportQuery } from "./requests";
import { accountOf } from "../objects";

export function consoleRoutes(app: App): void {
  app.get("/assets/console.js", (c) => script(c, CONSOLE_SCRIPT));

  app.get("/console", async (c) => {
    const session = await sessionOf(c);
    if (!session) return html(c, `<!doctype html>${ConsoleWelcome({ invite: null, timeZones: timeZones(), currencies: CURRENCIES })}`);
    const [me, tenant, storeRows] = await Promise.all([
      findStaff(c.env.DB, session.tenantId, session.staffId),
      loadTenant(c.env.DB, session.tenantId),
      storesNewestFirst(c.env.DB, session.tenantId),
    ]);
    const data = {
      staff: { email: me?.email ?? "", role: session.role },
      business: businessName(tenant),
      currency: tenant.currency,
      timeZone: tenant.timezone,
      dashboard: await dashboardOf(c.env, tenant),
      approval: settingsOf(tenant).approval_required_for,
      stores: storeRows.map((row) => ({ id: row.id, name: row.name, sms: row.smsConfirmPointsDeduction })),
    };
    return html(c, `<!doctype html>${ConsoleHome({ data })}`);
  });

  app.get("/console/settings", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const tenant = await loadTenant(c.env.DB, session.tenantId);
    const data = { business: businessName(tenant), role: session.role, currency: tenant.currency, settings: settingsOf(tenant) };
    return html(c, `<!doctype html>${ConsoleSettings({ data })}`);
  });

  app.get("/console/staff", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const [tenant, rows] = await Promise.all([loadTenant(c.env.DB, session.tenantId), staffOfTenant(c.env.DB, session.tenantId)]);
    const data = { business: businessName(tenant), me: { id: session.staffId, role: session.role }, staff: rows.map(({ id, email, role }) => ({ id, email, role })) };
    return html(c, `<!doctype html>${ConsoleStaff({ data })}`);
  });

  app.get("/console/members", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const query = (c.req.query("query") ?? "").trim().slice(0, 100);
    const tenant = await loadTenant(c.env.DB, session.tenantId);
    const found = await findMembers(c.env, session.tenantId, { limit: 20, query: query || undefined });
    return html(c, `<!doctype html>${ConsoleMembers({ business: businessName(tenant), query, currency: tenant.currency, members: found.data })}`);
  });

  app.get("/console/members/:id", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const [tenant, row] = await Promise.all([loadTenant(c.env.DB, session.tenantId), findMember(c.env.DB, session.tenantId, c.req.param("id"))]);
    if (!row) return html(c, `<!doctype html><meta charset="utf-8"><title>Not found</title><p>No such member. <a href="/console/members">Find a member</a>.</p>`, 404);
    const [member, history] = await Promise.all([memberWithAccount(c.env, session.tenantId, row), historyPage(c.env, session.tenantId, row.id, { limit: 20 })]);
    const may = {
      cards: staffMay(session.role, "post", "/v1/cards/:number/block"),
      replace: staffMay(session.role, "post", "/v1/cards/:number/replace"),
      link: staffMay(session.role, "post", "/v1/members/:id/portal-sessions"),
      revoke: staffMay(session.role, "post", "/v1/members/:id/sessions/revoke"),
    };
    return html(c, `<!doctype html>${ConsoleMember({ data: { business: businessName(tenant), timeZone: tenant.timezone, currency: tenant.currency, member, history: history.data, may } })}`);
  });

  app.get("/console/stores", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const [tenant, rows, keys] = await Promise.all([loadTenant(c.env.DB, session.tenantId), storesWithRegisters(c.env.DB, session.tenantId), liveKeysOfTenant(c.env.DB, session.tenantId)]);
    const data = {
      business: businessName(tenant),
      timeZone: tenant.timezone,
      may: { manage: staffMay(session.role, "post", "/v1/stores/:id/registers"), keys: staffMay(session.role, "post", "/v1/registers/:id/terminal-keys") },
      stores: rows.map(({ store, registers }) => ({
        id: store.id,
        name: store.name,
        sms: store.smsConfirmPointsDeduction,
        registers: registers.map((register) => ({ id: register.id, name: register.name, keys: keys.filter((key) => key.registerId === register.id).map(liveKey) })),
      })),
    };
    return html(c, `<!doctype html>${ConsoleStores({ data })}`);
  });

  app.get("/console/developers", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const [tenant, keys, endpoints, shards] = await Promise.all([
      loadTenant(c.env.DB, session.tenantId),
      liveKeysOfTenant(c.env.DB, session.tenantId),
      liveWebhookEndpoints(c.env.DB, session.tenantId),
      tenantShards(c.env, session.tenantId),
    ]);
    const data = {
      business: businessName(tenant),
      timeZone: tenant.timezone,
      owner: staffMay(session.role, "post", "/v1/secret-keys"),
      secretKeys: keys.filter((key) => key.kind === "secret").map(liveKey),
      endpoints: await Promise.all(endpoints.map(async (row) => ({ ...presentEndpoint(row), attempts: await attemptsOf(shards, row.id, 5) }))),
    };
    return html(c, `<!doctype html>${ConsoleDevelopers({ data })}`);
  });

  app.get("/console/alerts", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const asked = c.req.query("status");
    // "To do" (the default) is every alert not resolved yet: open, or being looked at.
    const status = asked === "resolved" || asked === "all" ? asked : "todo";
    const [tenant, page] = await Promise.all([
      loadTenant(c.env.DB, session.tenantId),
      alertsToShow(c.env.DB, session.tenantId, status),
    ]);
    const context = await alertContext(c.env.DB, session.tenantId, page.data);
    const mayAct = staffMay(session.role, "post", "/v1/alerts/:id/resolve");
    const items = page.data.map((row) => ({ row, context, currency: tenant.currency, timeZone: tenant.timezone, mayAct }));
    return html(c, `<!doctype html>${ConsoleAlerts({ data: { business: businessName(tenant), status, items } })}`);
  });

  // One alert as its line on the alerts page: what the page's script puts in when an alert arrives or moves on.
  app.get("/console/alerts/items/:id", async (c) => {
    const session = await sessionOf(c);
    if (!session) return c.body(null, 401, PAGE_HEADERS);
    const [tenant, row] = await Promise.all([loadTenant(c.env.DB, session.tenantId), findAlert(c.env.DB, session.tenantId, c.req.param("id"))]);
    if (!row) return c.body(null, 404, PAGE_HEADERS);
    const context = await alertContext(c.env.DB, session.tenantId, [row]);
    const mayAct = staffMay(session.role, "post", "/v1/alerts/:id/resolve");
    return html(c, String(AlertItem({ row, context, currency: tenant.currency, timeZone: tenant.timezone, mayAct })));
  });

  app.get("/console/limits", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const [tenant, active, places] = await Promise.all([loadTenant(c.env.DB, session.tenantId), activeLimits(c.env.DB, session.tenantId), storesWithRegisters(c.env.DB, session.tenantId)]);
    const names = placeNames(places);
    const newest = [...active].sort((a, b) => b.created_at.localeCompare(a.created_at));
    // Counters are read from the objects that keep them: the first five limits get theirs on the page, each from at
    // most 20 accounts; a limit whose objects do not answer shows no counters rather than failing the page.
    const counted = await Promise.all(
      newest.map((limit, i) => (i < 5 ? limitCounters(c.env, tenant, limit, {}, Date.now(), 20).catch(() => null) : Promise.resolve(null))),
    );
    const data = {
      business: businessName(tenant),
      currency: tenant.currency,
      digits: minorDigits(tenant.currency),
      mayManage: staffMay(session.role, "post", "/v1/limits"),
      limits: newest.map((limit, i) => ({ limit, sentence: limitSentence(limit, tenant.currency, { places: names }), counters: counted[i] })),
      registers: places.flatMap(({ registers }) => registers.map((r) => ({ id: r.id, name: names.get(r.id)! }))),
      stores: places.map(({ store }) => ({ id: store.id, name: store.name })),
      places: names,
    };
    return html(c, `<!doctype html>${ConsoleLimits({ data })}`);
  });

  // The form's preview: the limit it would make, in one sentence, or what is still missing.
  app.get("/console/limits/preview", async (c) => {
    const session = await sessionOf(c);
    if (!session) return c.json({ error: { code: "unauthenticated", message: "Sign in again", details: {} } }, 401);
    let asked: unknown = null;
    try {
      asked = JSON.parse(c.req.query("limit") ?? "null");
    } catch {
      asked = null;
    }
    const parsed = CreateLimit.safeParse(asked);
    if (!parsed.success) return c.json({ sentence: null, problem: parsed.error.issues[0]?.message ?? "incomplete" });
    const [tenant, places] = await Promise.all([loadTenant(c.env.DB, session.tenantId), storesWithRegisters(c.env.DB, session.tenantId)]);
    const names = placeNames(places);
    const limit = { ...parsed.data, hard: parsed.data.hard ?? null, soft: parsed.data.soft ?? null };
    return c.json({ sentence: limitSentence(limit, tenant.currency, { places: names }), problem: null });
  });

  app.get("/console/report", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const [tenant, places] = await Promise.all([loadTenant(c.env.DB, session.tenantId), storesWithRegisters(c.env.DB, session.tenantId)]);
    const asked = DailyReportQuery.shape.date.safeParse(c.req.query("date"));
    const date = asked.success ? asked.data : windowOf("day", Date.now(), tenant.timezone, "");
    const storeId = places.some(({ store }) => store.id === c.req.query("store_id")) ? c.req.query("store_id")! : "";
    const report = await dailyReportOf(c.env, tenant, date, storeId || null);
    const stores = places.map(({ store }) => ({ id: store.id, name: store.name }));
    return html(c, `<!doctype html>${ConsoleReport({ data: { business: businessName(tenant), report, storeId, stores, owner: session.role === "owner", archiveOpen: archiveOpen(report.window_end) } })}`);
  });

  app.get("/console/audit", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    await sealAuditLog(c.env, session.tenantId).catch((error) => console.warn("audit seal failed:", String(error)));
    const cursor = c.req.query("cursor");
    const [tenant, page, people, places] = await Promise.all([
      loadTenant(c.env.DB, session.tenantId),
      auditPage(c.env.DB, session.tenantId, { limit: 50, cursor: cursor && cursor.length < 200 ? cursor : undefined }).catch(() => ({ data: [], next_cursor: null })),
      staffOfTenant(c.env.DB, session.tenantId),
      storesWithRegisters(c.env.DB, session.tenantId),
    ]);
    const emails = new Map(people.map((p) => [p.id, p.email]));
    const context = { currency: tenant.currency, timeZone: tenant.timezone, places: placeNames(places), people: emails };
    const who = (row: AuditRow) =>
      row.actorType === "staff" ? (emails.get(row.actor) ?? "someone no longer on the team")
      : row.actorType === "secret_key" ? `secret key sk_${row.actor}`
      : row.actorType === "terminal_key" ? `till key tk_${row.actor}`
      : row.actorType === "member" ? "the member, on their page"
      : "Tillsafe";
    const lines = page.data.map((row) => ({
      id: row.id,
      created_at: row.createdAt,
      who: who(row),
      action: row.action,
      subject_id: row.subjectId,
      changes: changesOf(row.action, row.before ? JSON.parse(row.before) : null, row.after ? JSON.parse(row.after) : null, context),
    }));
    return html(c, `<!doctype html>${ConsoleAudit({ data: { business: businessName(tenant), timeZone: tenant.timezone, lines, older: page.next_cursor } })}`);
  });

  app.get("/console/operations", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const [tenant, places] = await Promise.all([loadTenant(c.env.DB, session.tenantId), storesWithRegisters(c.env.DB, session.tenantId)]);
    const names = placeNames(places);
    const q = (name: string) => (c.req.query(name) ?? "").slice(0, 64);
    const day = (name: string) => (DailyReportQuery.shape.date.safeParse(q(name)).success ? q(name) : "");
    const status = ["pending", "confirmed", "cancelled", "expired"].includes(q("status")) ? q("status") : "";
    const filters = { status, store_id: names.has(q("store_id")) ? q("store_id") : "", register_id: names.has(q("register_id")) ? q("register_id") : "", member_id: q("member_id").startsWith("mem_") ? q("member_id") : "", from: day("from"), to: day("to") };
    const from = filters.from ? windowBounds(filters.from, tenant.timezone).start : null;
    const to = filters.to ? windowBounds(filters.to, tenant.timezone).end : null;
    const cursor = q("cursor") || undefined;
    const page = await operationsPage(await tenantShards(c.env, session.tenantId), {
      limit: 50,
      cursor,
      status: filters.status,
      store_id: filters.store_id,
      register_id: filters.register_id,
      member_id: filters.member_id,
      ...(from ? { created_after: from } : {}),
      ...(to ? { created_before: to } : {}),
    }).catch(() => ({ data: [] as Operation[], next_cursor: null }));
    const data = {
      business: businessName(tenant),
      currency: tenant.currency,
      timeZone: tenant.timezone,
      filters,
      stores: places.map(({ store }) => ({ id: store.id, name: store.name })),
      registers: places.flatMap(({ registers }) => registers.map((r) => ({ id: r.id, name: names.get(r.id)! }))),
      operations: page.data,
      older: page.next_cursor,
    };
    return html(c, `<!doctype html>${ConsoleOperations({ data })}`);
  });

  app.get("/console/operations/:id", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const id = c.req.param("id");
    const memberId = memberOfOperation(id);
    const missing = () => html(c, `<!doctype html><meta charset="utf-8"><title>Not found</title><p>No such operation. <a href="/console/operations">Operations</a>.</p>`, 404);
    if (!memberId) return missing();
    const account = { tenant_id: session.tenantId, member_id: memberId };
    const outcome = await accountOf(c.env, account).getOperation(id, {}, {});
    if (isRefusal(outcome)) return missing();
    const operation = valueOf(outcome);
    const shards = await tenantShards(c.env, session.tenantId);
    const [tenant, places, member, approvals, refunds, journal] = await Promise.all([
      loadTenant(c.env.DB, session.tenantId),
      storesWithRegisters(c.env.DB, session.tenantId),
      findMember(c.env.DB, session.tenantId, memberId),
      accountOf(c.env, account).approvalRequests(null, 50, null),
      operation.type === "purchase" ? refundsOf(shards, memberId, id) : Promise.resolve([]),
      accountOf(c.env, account).entriesOf(id),
    ]);
    const data = {
      business: businessName(tenant),
      currency: tenant.currency,
      timeZone: tenant.timezone,
      operation,
      member: member ? { id: member.id, name: member.name } : null,
      places: placeNames(places),
      approvals: approvals.data.filter((request) => request.operation_id === id),
      refunds,
      journal: journal.map(({ kind, method, amount, created_at }) => ({ kind, method, amount, created_at })),
      mayCancel: staffMay(session.role, "post", "/v1/operations/:id/cancel"),
    };
    return html(c, `<!doctype html>${ConsoleOperation({ data })}`);
  });

  app.get("/console/signup/:token", (c) =>
    html(c, `<!doctype html>${ConsoleWelcome({ invite: c.req.param("token"), timeZones: timeZones(), currencies: CURRENCIES })}`),
  );

  app.get("/console/invite/:token", (c) => html(c, `<!doctype html>${ConsoleInvite({ token: c.req.param("token") })}`));

  app.get("/console/setup", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toConsole(c);
    const [tenant, set] = await Promise.all([loadTenant(c.env.DB, session.tenantId), storesWithRegisters(c.env.DB, session.tenantId)]);
    // Once a store exists, the guided set-up does not make another (a reload would have).
    return html(c, `<!doctype html>${ConsoleSetup({ business: businessName(tenant), done: set.length > 0 })}`);
  });
}
