import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { database } from "../db/client";
import { activeLimits, forgetLimits, presentLimit } from "../db/limits";
import { auditInsert } from "../db/audit";
import { cards, limits, registers, stores } from "../db/schema";
import { invalidRequest, notFound } from "../lib/errors";
import { isId, newId } from "../lib/ids";
import { cardNumber } from "../lib/schemas";
import { loadTenant } from "../db/tenants";
import { limitCounters } from "../operations/limit-counters";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";
import { CreateLimit } from "./requests";

export const CounterQuery = z.strictObject({
  scope_id: z.string().min(1).max(64).optional(),
  per_id: z.string().min(1).max(64).optional(),
});


/** A scope_id must name a card, register or store of this tenant. */
async function checkScope(d1: D1Database, tenantId: string, scope: string, scopeId: string | null): Promise<void> {
  if (scopeId === null) return;
  const db = database(d1);
  const found =
    scope === "card"
      ? cardNumber.safeParse(scopeId).success &&
        (await db.select({ n: cards.number }).from(cards).where(and(eq(cards.tenantId, tenantId), eq(cards.number, scopeId))).get())
      : scope === "register"
        ? isId("reg", scopeId) && (await db.select({ id: registers.id }).from(registers).where(and(eq(registers.tenantId, tenantId), eq(registers.id, scopeId))).get())
        : isId("sto", scopeId) && (await db.select({ id: stores.id }).from(stores).where(and(eq(stores.tenantId, tenantId), eq(stores.id, scopeId))).get());
  if (!found) throw invalidRequest(`scope_id names no ${scope} of this tenant`, { scope_id: scopeId });
}

export function limitRoutes(app: App): void {
  endpoint(
    app,
    { method: "post", path: "/v1/limits", response: R.Limit, summary: "Create a limit (hard or soft) on a card, register or store counter", tag: "Limits and alerts", auth: ["secret"], body: CreateLimit },
    async ({ env, principal, body }) => {
      await checkScope(env.DB, principal.tenantId, body.scope, body.scope_id);
      const now = new Date().toISOString();
      const row = {
        id: newId("lim"),
        tenantId: principal.tenantId,
        scope: body.scope,
        scopeId: body.scope_id,
        per: body.per,
        metric: body.metric,
        method: body.method,
        period: body.period,
        hard: body.hard ?? null,
        softLower: body.soft?.lower ?? null,
        softUpper: body.soft?.upper ?? null,
        createdAt: now,
        deletedAt: null,
      };
      const limit = presentLimit(row);
      const db = database(env.DB);
      await db.batch([
        db.insert(limits).values(row),
        auditInsert(env.DB, principal, "limit.created", limit.id, { after: limit }),
      ]);
      forgetLimits(principal.tenantId);
      return { status: 201, body: limit };
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/limits", response: R.listOf(R.Limit), summary: "The tenant's limits", tag: "Limits and alerts", auth: ["secret"] },
    async ({ env, principal }) => {
      forgetLimits(principal.tenantId);
      const active = await activeLimits(env.DB, principal.tenantId);
      return { status: 200, body: { data: active.sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id)), next_cursor: null } };
    },
  );

  endpoint(
    app,
    {
      method: "get",
      path: "/v1/limits/:id/counters", errors: ["limit_not_found"], response: R.listOf(R.Counter),
      summary: "A limit's counters in the window in force: value, what of it is still held, the window, the bound",
      tag: "Limits and alerts",
      auth: ["secret"],
      query: CounterQuery,
    },
    async ({ env, principal, param, query }) => {
      const limit = (await activeLimits(env.DB, principal.tenantId)).find((l) => l.id === param("id"));
      if (!limit) throw notFound("limit_not_found", "Limit");
      const tenant = await loadTenant(env.DB, principal.tenantId);
      return { status: 200, body: { data: await limitCounters(env, tenant, limit, query), next_cursor: null } };
    },
  );

  endpoint(
    app,
    { method: "delete", path: "/v1/limits/:id", errors: ["limit_not_found"], response: R.LimitRemoved, summary: "Delete a limit", tag: "Limits and alerts", auth: ["secret"] },
    async ({ env, principal, param }) => {
      const db = database(env.DB);
      const where = and(eq(limits.tenantId, principal.tenantId), eq(limits.id, param("id")), isNull(limits.deletedAt));
      const row = await db.select().from(limits).where(where).get();
      if (!row) throw notFound("limit_not_found", "Limit");
      const now = new Date().toISOString();
      await db.batch([
        db.update(limits).set({ deletedAt: now }).where(where),
        auditInsert(env.DB, principal, "limit.deleted", row.id, { before: presentLimit(row) }),
      ]);
      forgetLimits(principal.tenantId);
      return { status: 200, body: { ...presentLimit(row), deleted: true } };
    },
  );
}
