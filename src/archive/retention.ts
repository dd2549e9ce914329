/**
 * Retention: a shard's operations and history leave D1 a generation at a time (10 days of creation time,
 * src/db/record-tables.ts), by dropping its two tables — which writes no row — once the longest
 * `history_retention_days` of the shard's tenants (and a day, for the last holds) has passed its last day, and only
 * after every day of every tenant with rows in it is archived in R2 (`GET /v1/exports`). Each tenant sees only its
 * own window meanwhile. A day not archived yet (a shard that fails, a sale still pending in D1) keeps the generation
 * until the next run.
 */
import type { Env } from "../env";
import { GENERATION_MS } from "../db/event-generations";
import { recordGenerations, recordTable } from "../db/record-tables";
import { loadTenantIfAny } from "../db/tenants";
import { windowBounds } from "../limits/counters-view";
import { tenantObjectOf } from "../objects";
import { shardDatabase } from "../shards/tenant-shards";
import { FIRST_SHARD } from "../shards/placement";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The longest retention among the tenants with rows on a shard (its tenants of before the shards are on shard-0). */
export async function longestRetention(db: D1Database, shard: string): Promise<number> {
  const row = await db
    .prepare(
      `SELECT MAX(history_retention_days) AS days FROM tenants t
       WHERE (t.placement = '[]' AND ?2) OR EXISTS (SELECT 1 FROM json_each(t.placement) e, json_each(e.value, '$.shards') s WHERE s.value = ?1)`,
    )
    .bind(shard, shard === FIRST_SHARD ? 1 : 0)
    .first<{ days: number | null }>();
  return row?.days ?? 90;
}

/** The generations of a shard whose every row is past `days` and a day, at `now`, oldest first. */
export const generationsPast = (generations: number[], days: number, now: number) => generations.filter((g) => (g + 1) * GENERATION_MS <= now - (days + 1) * DAY_MS);

/** The calendar dates, in a time zone, that a generation's time touches. */
export function datesOf(generation: number, timeZone: string): string[] {
  const dates = new Set<string>();
  for (let at = generation * GENERATION_MS; at < (generation + 1) * GENERATION_MS; at += HOUR_MS) dates.add(new Date(at).toLocaleDateString("en-CA", { timeZone }));
  dates.add(new Date((generation + 1) * GENERATION_MS - 1).toLocaleDateString("en-CA", { timeZone }));
  return [...dates].sort();
}

/**
 * Archives and drops what is past retention on a shard; the generations dropped. Run again (or by several writers at
 * once) it archives nothing twice — each day is made once, in its tenant's object — and drops nothing twice.
 */
export async function dropPastRetention(env: Env, shard: string, now = Date.now()): Promise<number[]> {
  const d1 = shardDatabase(env, shard);
  const [generations, days] = await Promise.all([recordGenerations(d1), longestRetention(env.DB, shard)]);
  const due = generationsPast([...new Set([...generations.operations, ...generations.history])].sort((a, b) => a - b), days, now);
  const dropped: number[] = [];
  for (const generation of due) {
    const tables = (["operations", "history"] as const).filter((kind) => generations[kind].includes(generation)).map((kind) => recordTable(kind, generation));
    const tenants = await d1.prepare(tables.map((table) => `SELECT DISTINCT tenant_id FROM ${table}`).join(" UNION ")).all<{ tenant_id: string }>();
    for (const { tenant_id: tenantId } of tenants.results) {
      const tenant = await loadTenantIfAny(env.DB, tenantId);
      if (!tenant) continue;
      for (const date of datesOf(generation, tenant.timezone)) {
        const { start, end } = windowBounds(date, tenant.timezone) as { start: string; end: string };
        if (end <= tenant.createdAt) continue;
        // Not archived (yet): the generation stays, and the next run tries again.
        if ((await tenantObjectOf(env, tenantId).archiveDay(tenantId, date, start, end)) !== "made") return dropped;
      }
    }
    await d1.batch(tables.map((table) => d1.prepare(`DROP TABLE IF EXISTS ${table}`)));
    dropped.push(generation);
  }
  return dropped;
}
