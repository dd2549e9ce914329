/**
 * Retention: a shard's operations and history leave D1 a generation at a time (10 days of creation time,
 * src/db/record-tables.ts), by dropping its two tables — which writes no row — once the longest
 * `history_retention_days` of the shard's tenants (and a day, for the last holds) has passed its last day, and only
 * after every day of every tenant with rows in it is archived in R2 for good (`GET /v1/exports`): made again then,
 * from what D1 holds at that point, so a day downloaded early and completed by late shipments is archived whole. Each
 * tenant sees only its own window meanwhile. A generation with a day that cannot be archived yet (a shard that fails,
 * a sale still pending in D1) stays, and the later ones go on without it.
 *
 * Every tenant's history writer may start a run, at most hourly; one run an hour per shard goes ahead
 * (`retention_runs`), the others stop at once. Rows of before the generations are archived and deleted the same way,
 * a day at a time (`dropBeforePastRetention`).
 */
import type { Env } from "../env";
import { GENERATION_MS } from "../db/event-generations";
import { recordGenerations, recordTable } from "../db/record-tables";
import { windowBounds } from "../limits/counters-view";
import { tenantObjectOf } from "../objects";
import { shardDatabase } from "../shards/tenant-shards";
import { FIRST_SHARD } from "../shards/placement";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** A tenant with rows on a shard (placed on it in some epoch; its tenants of before the shards on shard-0). */
interface ShardTenant {
  id: string;
  timezone: string;
  created_at: string;
  retention: number;
}

async function tenantsOn(db: D1Database, shard: string): Promise<ShardTenant[]> {
  const rows = await db
    .prepare(
      `SELECT id, timezone, created_at, history_retention_days AS retention FROM tenants t
       WHERE (t.placement = '[]' AND ?2) OR EXISTS (SELECT 1 FROM json_each(t.placement) e, json_each(e.value, '$.shards') s WHERE s.value = ?1)`,
    )
    .bind(shard, shard === FIRST_SHARD ? 1 : 0)
    .all<ShardTenant>();
  return rows.results;
}

/** The generations whose every row is past `days` and a day, at `now`, oldest first. */
export const generationsPast = (generations: number[], days: number, now: number) => generations.filter((g) => (g + 1) * GENERATION_MS <= now - (days + 1) * DAY_MS);

/** The calendar dates, in a time zone, that a generation's time touches. */
export function datesOf(generation: number, timeZone: string): string[] {
  const dates = new Set<string>();
  for (let at = generation * GENERATION_MS; at < (generation + 1) * GENERATION_MS; at += HOUR_MS) dates.add(new Date(at).toLocaleDateString("en-CA", { timeZone }));
  dates.add(new Date((generation + 1) * GENERATION_MS - 1).toLocaleDateString("en-CA", { timeZone }));
  return [...dates].sort();
}

/** Whether this run is the shard's run of the hour (it moves `retention_runs` on; one that ran within the hour did). */
async function ourTurn(d1: D1Database, now: number): Promise<boolean> {
  const moved = await d1.prepare("UPDATE retention_runs SET ran_at = ?1 WHERE id = 1 AND ran_at <= ?2").bind(now, now - HOUR_MS).run();
  return (moved.meta.changes ?? 0) === 1;
}

/** Archives for good every day of a generation of every tenant with rows in it; false: one is not possible yet. */
async function archived(env: Env, d1: D1Database, tables: string[], tenants: ShardTenant[], generation: number): Promise<boolean> {
  // The shard's tenants with rows in the generation, each found by its key's first column.
  const exists = tables.map((table) => `EXISTS (SELECT 1 FROM ${table} WHERE tenant_id = t.value)`).join(" OR ");
  const inIt = await d1.prepare(`SELECT t.value AS id FROM json_each(?1) t WHERE ${exists}`).bind(JSON.stringify(tenants.map((t) => t.id))).all<{ id: string }>();
  for (const { id } of inIt.results) {
    const tenant = tenants.find((t) => t.id === id)!;
    for (const date of datesOf(generation, tenant.timezone)) {
      const { start, end } = windowBounds(date, tenant.timezone) as { start: string; end: string };
      if (end <= tenant.created_at) continue;
      if ((await tenantObjectOf(env, id).archiveDay(id, date, start, end, true)) !== "made") return false;
    }
  }
  return true;
}

/** At most this many days of one tenant's rows of before are archived in one run (a long past takes several runs). */
const DAYS_A_RUN = 31;
/** Rows of before deleted a statement at a time, and statements a run. */
const DELETE_CHUNK = 500;
const CHUNKS_A_RUN = 20;

/**
 * The calendar dates, in a time zone, from the one holding `from` up to the last one wholly before `until`: each the
 * day after the last (the next begins where the last ends: a day of 23 or 25 hours is not skipped).
 */
export function datesBefore(from: string, until: string, timeZone: string): string[] {
  const dates: string[] = [];
  for (let at = from; dates.length < DAYS_A_RUN; ) {
    const date = new Date(at).toLocaleDateString("en-CA", { timeZone });
    const { end } = windowBounds(date, timeZone) as { end: string };
    if (end > until) break;
    dates.push(date);
    at = end;
  }
  return dates;
}

/**
 * The rows of before migration 0023 (in `operations` and `history_entries`, which no generation holds) past the
 * shard's longest retention: each tenant's days archived for good, oldest first, then its rows of those days deleted
 * a chunk at a time — a one-time cost, a row written each, for what was there before the generations. What a run
 * does not reach, the next run goes on with.
 */
async function dropBeforePastRetention(env: Env, d1: D1Database, tenants: ShardTenant[], longest: number, now: number): Promise<void> {
  const cutoff = new Date(now - (longest + 1) * DAY_MS).toISOString();
  let chunks = 0;
  for (const tenant of tenants) {
    const oldest = await d1
      .prepare("SELECT MIN(at) AS at FROM (SELECT MIN(created_at) AS at FROM operations WHERE tenant_id = ?1 UNION ALL SELECT MIN(created_at) FROM history_entries WHERE tenant_id = ?1)")
      .bind(tenant.id)
      .first<{ at: string | null }>();
    if (!oldest?.at || oldest.at >= cutoff) continue;
    let archivedUntil: string | null = null;
    for (const date of datesBefore(oldest.at, cutoff, tenant.timezone)) {
      const { start, end } = windowBounds(date, tenant.timezone) as { start: string; end: string };
      if ((await tenantObjectOf(env, tenant.id).archiveDay(tenant.id, date, start, end, true)) !== "made") break;
      archivedUntil = end;
    }
    if (archivedUntil === null) continue;
    for (const [table, key] of [["operations", "tenant_id, created_at, id"], ["history_entries", "tenant_id, created_at, member_id, seq"]] as const) {
      for (; chunks < CHUNKS_A_RUN; chunks++) {
        const deleted = await d1
          .prepare(`DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE tenant_id = ?1 AND created_at < ?2 LIMIT ${DELETE_CHUNK})`)
          .bind(tenant.id, archivedUntil)
          .run();
        if ((deleted.meta.changes ?? 0) < DELETE_CHUNK) break;
      }
    }
  }
}

/**
 * Archives and drops what is past retention on a shard; the generations dropped. Run again (or by several writers at
 * once) it archives nothing twice — each day is made for good once, in its tenant's object — and drops nothing twice.
 */
export async function dropPastRetention(env: Env, shard: string, now = Date.now()): Promise<number[]> {
  const d1 = shardDatabase(env, shard);
  if (!(await ourTurn(d1, now))) return [];
  const [generations, tenants] = await Promise.all([recordGenerations(d1), tenantsOn(env.DB, shard)]);
  const longest = Math.max(30, ...tenants.map((t) => t.retention));
  const due = generationsPast([...new Set([...generations.operations, ...generations.history])].sort((a, b) => a - b), longest, now);
  const dropped: number[] = [];
  for (const generation of due) {
    const tables = (["operations", "history"] as const).filter((kind) => generations[kind].includes(generation)).map((kind) => recordTable(kind, generation));
    if (!(await archived(env, d1, tables, tenants, generation))) {
      console.warn(`${shard}: generation ${generation} is past retention but not all its days could be archived; it stays until the next run`);
      continue;
    }
    await d1.batch(tables.map((table) => d1.prepare(`DROP TABLE IF EXISTS ${table}`)));
    dropped.push(generation);
  }
  await dropBeforePastRetention(env, d1, tenants, longest, now);
  return dropped;
}
