/**
 * A day's archive: the tenant's operations made that day and the journal entries posted that day (its calendar
 * day, in its time zone), read from every shard it has, as gzip NDJSON — one JSON object a line, `{"record":
 * "operation", …}` or `{"record": "entry", …}` — kept in R2 (`ARCHIVE`) as `<tenant>/<date>.ndjson.gz`. Made the
 * first time it is asked for once every operation of the day has ended: a day after the day (the longest hold), a
 * few minutes for the last shipments, and no operation of the day still pending in D1; then the same object is handed
 * out. Made once more, for good (`final`), from what D1 holds then, just before the day's rows leave D1
 * (src/archive/retention.ts), so shipments that came late are in it.
 */
import type { Env } from "../env";
import { windowBounds } from "../limits/counters-view";
import { shardUnavailable, tenantShards } from "../shards/tenant-shards";
import { tenantObjectOf } from "../objects";
import { dayLines } from "./day-lines";
import { overRecords } from "../db/record-tables";
import { PART_BYTES, putInParts } from "./r2-parts";

/** A day's archive is made this long after the day ends: the longest hold (a day), and 5 minutes to settle. */
export const ARCHIVE_AFTER_MS = 86_400_000 + 5 * 60 * 1000;

export const archiveKey = (tenantId: string, date: string) => `${tenantId}/${date}.ndjson.gz`;

/** Whether a day's archive may be made: its last hold has ended and settled (its operations may still lag in D1). */
export const archiveOpen = (end: string, now = Date.now()) => now >= Date.parse(end) + ARCHIVE_AFTER_MS;

/** What making a day's archive came to: made (or there already), not yet (an operation of the day still pending), or a shard failed. */
export type ArchiveMade = "made" | "not_yet" | "shard_unavailable";

/**
 * The day's archive as a stream, made now if every operation of the day has ended; null: not yet (or the tenant
 * did not exist that day). It is made in the tenant's object (`TenantDO.archiveDay`), once however many ask at once.
 */
export async function dayArchive(env: Env, tenant: { id: string; timezone: string; createdAt: string }, date: string, now = Date.now()): Promise<ReadableStream | null> {
  const key = archiveKey(tenant.id, date);
  const kept = await env.ARCHIVE.get(key);
  if (kept) return kept.body;
  const { start, end } = windowBounds(date, tenant.timezone) as { start: string; end: string };
  if (!archiveOpen(end, now) || end <= tenant.createdAt) return null;
  const made = await tenantObjectOf(env, tenant.id).archiveDay(tenant.id, date, start, end);
  if (made === "shard_unavailable") throw shardUnavailable();
  if (made === "not_yet") return null;
  return (await env.ARCHIVE.get(key))?.body ?? null;
}

/**
 * Writes the day's archive into R2 as it reads it: the lines go through gzip into the object's parts, a page of rows
 * and a part of bytes at a time, so the largest tenant's day fits in the memory of one request. Not while an
 * operation of the day is still pending in D1 (its end has not reached the records yet).
 */
export async function writeDayArchive(env: Env, tenantId: string, date: string, window: { start: string; end: string }, how: { final?: boolean; partBytes?: number } = {}, now = Date.now()): Promise<ArchiveMade> {
  try {
    const shards = await tenantShards(env, tenantId);
    const pending = await Promise.all(
      shards.all.map(({ d1 }) =>
        overRecords(d1, "operations", window.start, (tables) => {
          const each = tables.map((table) => `SELECT 1 AS pending FROM ${table} WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3 AND status = 'pending'`);
          return d1.prepare(`${each.join(" UNION ALL ")} LIMIT 1`).bind(tenantId, window.start, window.end).first();
        }),
      ),
    );
    if (pending.some((row) => row !== null)) return "not_yet";
    const gzip = new CompressionStream("gzip");
    const writing = (async () => {
      const writer = gzip.writable.getWriter();
      const encoder = new TextEncoder();
      try {
        for await (const line of dayLines(shards, window.start, window.end)) await writer.write(encoder.encode(line));
        await writer.close();
      } catch (error) {
        await writer.abort(error).catch(() => undefined);
        throw error;
      }
    })();
    // `final`: made for good, as the day's rows leave D1 (src/archive/retention.ts).
    const options = { httpMetadata: { contentType: "application/gzip" }, customMetadata: { made_at: new Date(now).toISOString(), final: String(how.final ?? false) } };
    await Promise.all([writing, putInParts(env.ARCHIVE, archiveKey(tenantId, date), gzip.readable, options, how.partBytes ?? PART_BYTES)]);
    return "made";
  } catch (error) {
    console.error(`archive of ${tenantId} ${date} failed:`, String(error));
    return "shard_unavailable";
  }
}
