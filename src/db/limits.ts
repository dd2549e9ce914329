/** The tenant's active limits, cached briefly per isolate (a change made here drops the cache at once). */
import { and, eq, isNull } from "drizzle-orm";
import type { Method } from "../accounts/operation";
import type { Limit } from "../limits/limit";
import { ShortCache } from "../lib/short-cache";
import { database, type BatchWrite } from "./client";
import type { AuditWrite } from "./audit";
import { cards, limits, registers, stores } from "./schema";

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

/** A limit created, with the audit entry of its making (the tenant's cached limits are dropped). */
export async function addLimit(d1: D1Database, row: LimitRow, audit: AuditWrite, answer: BatchWrite[] = []): Promise<void> {
  const db = database(d1);
  await db.batch([db.insert(limits).values(row), audit, ...answer]);
  forgetLimits(row.tenantId);
}

/** A limit of the tenant not deleted yet, as stored. */
export async function liveLimit(d1: D1Database, tenantId: string, limitId: string): Promise<LimitRow | null> {
  return (await database(d1).select().from(limits).where(and(eq(limits.tenantId, tenantId), eq(limits.id, limitId), isNull(limits.deletedAt))).get()) ?? null;
}

/** A limit deleted (kept, marked), with the audit entry of its removal. */
export async function removeLimit(d1: D1Database, row: LimitRow, at: string, audit: AuditWrite): Promise<void> {
  const db = database(d1);
  await db.batch([db.update(limits).set({ deletedAt: at }).where(and(eq(limits.tenantId, row.tenantId), eq(limits.id, row.id), isNull(limits.deletedAt))), audit]);
  forgetLimits(row.tenantId);
}

/** Whether the tenant has this card, register or store (what a limit's scope_id may name). */
export async function scopeExists(d1: D1Database, tenantId: string, scope: "card" | "register" | "store", scopeId: string): Promise<boolean> {
  const db = database(d1);
  if (scope === "card") return (await db.select({ n: cards.number }).from(cards).where(and(eq(cards.tenantId, tenantId), eq(cards.number, scopeId))).get()) !== undefined;
  if (scope === "register") return (await db.select({ id: registers.id }).from(registers).where(and(eq(registers.tenantId, tenantId), eq(registers.id, scopeId))).get()) !== undefined;
  return (await db.select({ id: stores.id }).from(stores).where(and(eq(stores.tenantId, tenantId), eq(stores.id, scopeId))).get()) !== undefined;
}
