/**
 * A day's archive: the tenant's operations made that day and the journal entries posted that day (its calendar
 * day, in its time zone), read from every shard it has, as gzip NDJSON — one JSON object a line, `{"record":
 * "operation", …}` or `{"record": "entry", …}` — kept in R2 (`ARCHIVE`) as `<tenant>/<date>.ndjson.gz`. Made once,
 * the first time it is asked for after the day has ended and settled; after that the same object is handed out.
 */
import type { Env } from "../env";
import { windowBounds } from "../limits/counters-view";
import { acrossShards, tenantShards } from "../shards/tenant-shards";
import { historyLines } from "../db/history";

/** How long after a day ends its last shipments are given to reach D1 (as the day's report waits). */
const SETTLE_MS = 5 * 60 * 1000;
const PAGE = 1000;

export const archiveKey = (tenantId: string, date: string) => `${tenantId}/${date}.ndjson.gz`;

/** The day's archive, made now if the day is over; null: the day is not over yet, or the tenant did not exist. */
export async function dayArchive(env: Env, tenant: { id: string; timezone: string; createdAt: string }, date: string, now = Date.now()): Promise<ArrayBuffer | null> {
  const key = archiveKey(tenant.id, date);
  const kept = await env.ARCHIVE.get(key);
  if (kept) return kept.arrayBuffer();
  const { start, end } = windowBounds(date, tenant.timezone) as { start: string; end: string };
  if (now < Date.parse(end) + SETTLE_MS || end <= tenant.createdAt) return null;
  const lines = await dayLines(env, tenant.id, start, end);
  const gzipped = await new Response(new Blob([lines.join("")]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
  await env.ARCHIVE.put(key, gzipped, { httpMetadata: { contentType: "application/gzip" }, customMetadata: { lines: String(lines.length), made_at: new Date(now).toISOString() } });
  return gzipped;
}

/** The day's lines from every shard: operations by creation time, then entries by posting time. */
async function dayLines(env: Env, tenantId: string, start: string, end: string): Promise<string[]> {
  const shards = await tenantShards(env, tenantId);
  const perShard = await acrossShards(shards, async (d1) => {
    const operations: string[] = [];
    for (let after = ["", ""]; ; ) {
      const page = await d1
        .prepare(
          `SELECT id, created_at, body FROM operations WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3 AND (created_at > ?4 OR (created_at = ?4 AND id > ?5))
           ORDER BY created_at, id LIMIT ${PAGE}`,
        )
        .bind(tenantId, start, end, after[0], after[1])
        .all<{ id: string; created_at: string; body: string }>();
      for (const row of page.results) operations.push(`{"record":"operation",${row.body.slice(1)}\n`);
      if (page.results.length < PAGE) break;
      const last = page.results[page.results.length - 1];
      after = [last.created_at, last.id];
    }
    const entries = await d1
      .prepare(`SELECT * FROM (${historyLines("h.tenant_id = ?1 AND h.created_at >= ?2 AND h.created_at < ?3")}) ORDER BY created_at, member_id, seq`)
      .bind(tenantId, start, end)
      .all<Record<string, unknown>>();
    return { operations, entries: entries.results.map((entry) => `${JSON.stringify({ record: "entry", ...entry })}\n`) };
  });
  return [...perShard.flatMap((s) => s.operations), ...perShard.flatMap((s) => s.entries)];
}
