import { z } from "zod";
import { activeLimits, addLimit, forgetLimits, liveLimit, presentLimit, removeLimit, scopeExists } from "../db/limits";
import { auditInsert } from "../db/audit";
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
async function checkScope(d1: D1Database, tenantId: string, scope: "card" | "register" | "store", scopeId: string | null): Promise<void> {
  if (scopeId === null) return;
  const wellFormed = scope === "card" ? cardNumber.safeParse(scopeId).success : isId(scope === "register" ? "reg" : "sto", scopeId);
  if (!wellFormed || !(await scopeExists(d1, tenantId, scope, scopeId))) throw invalidRequest(`scope_id names no ${scope} of this tenant`, { scope_id: scopeId });
}

export function limitRoutes(app: App): void {
  endpoint(
    app,
    { method: "post", path: "/v1/limits", response: R.Limit, summary: "Create a limit (hard or soft) on a card, register or store counter", tag: "Limits and alerts", auth: ["secret"], body: CreateLimit },
    async ({ env, principal, body, keyed }) => {
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
      const answer = { status: 201, body: limit };
      await addLimit(env.DB, row, auditInsert(env.DB, principal, "limit.created", limit.id, { after: limit }), await keyed.answerWith(answer));
      return answer;
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
      path: "/v1/limits/:id/counters", errors: ["shard_unavailable", "limit_not_found"], response: R.listOf(R.Counter),
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
      const row = await liveLimit(env.DB, principal.tenantId, param("id"));
      if (!row) throw notFound("limit_not_found", "Limit");
      await removeLimit(env.DB, row, new Date().toISOString(), auditInsert(env.DB, principal, "limit.deleted", row.id, { before: presentLimit(row) }));
      return { status: 200, body: { ...presentLimit(row), deleted: true } };
    },
  );
}
