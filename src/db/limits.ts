/** The tenant's active limits, cached briefly per isolate (a change made here drops the cache at once). */
import { and, eq, isNull } from "drizzle-orm";
import type { Method } from "../accounts/operation";
import type { Limit } from "../limits/limit";
import { ShortCache } from "../lib/short-cache";
import { database } from "./client";
import { limits } from "./schema";

export type LimitRow = typeof limits.$inferSelect;

const cache = new ShortCache<Limit[]>(5_000);

export function presentLimit(row: LimitRow): Limit {
  return {
    id: row.id,
    scope: row.scope,
    scope_id: row.scopeId,
    per: row.per,
    metric: row.metric as Limit["metric"],
    method: (row.method as Method | null) ?? null,
    period: row.period,
    hard: row.hard,
    soft: row.softLower !== null && row.softUpper !== null ? { lower: row.softLower, upper: row.softUpper } : null,
    created_at: row.createdAt,
  };
}

export async function activeLimits(d1: D1Database, tenantId: string): Promise<Limit[]> {
  return cache.through(tenantId, async () =>
    (await database(d1).select().from(limits).where(and(eq(limits.tenantId, tenantId), isNull(limits.deletedAt)))).map(presentLimit),
  );
}

export function forgetLimits(tenantId: string): void {
  cache.delete(tenantId);
}
