/**
 * A day's archive: the tenant's operations made that day and the journal entries posted that day (its calendar
 * day, in its time zone), read from every shard it has, as gzip NDJSON — one JSON object a line, `{"record":
 * "operation", …}` or `{"record": "entry", …}` — kept in R2 (`ARCHIVE`) as `<tenant>/<date>.ndjson.gz`. Made once,
 * the first time it is asked for once every operation of the day has ended: a day after the day (the longest
 * hold), a few minutes for the last shipments, and no operation of the day still pending in D1. Then the same
 * object is handed out.
 */
import type { Env } from "../env";
import { windowBounds } from "../limits/counters-view";
import { acrossShards, tenantShards } from "../shards/tenant-shards";
import { historyLines } from "../db/history";
import { operationOfRow, OPERATION_ROW, type OperationRowRead } from "../db/operation-rows";
import { mergeNewestFirst } from "../db/newest-first";

/** A day's archive is made this long after the day ends: the longest hold (a day), and 5 minutes to settle. */
export const ARCHIVE_AFTER_MS = 86_400_000 + 5 * 60 * 1000;
const PAGE = 1000;

export const archiveKey = (tenantId: string, date: string) => `${tenantId}/${date}.ndjson.gz`;

/** Whether a day's archive may be made: its last hold has ended and settled (its operations may still lag in D1). */
export const archiveOpen = (end: string, now = Date.now()) => now >= Date.parse(end) + ARCHIVE_AFTER_MS;

/**
 * The day's archive as a stream, made now if every operation of the day has ended; null: not yet (or the tenant
 * did not exist that day).
 */
export async function dayArchive(env: Env, tenant: { id: string; timezone: string; createdAt: string }, date: string, now = Date.now()): Promise<ReadableStream | null> {
  const key = archiveKey(tenant.id, date);
  const kept = await env.ARCHIVE.get(key);
  if (kept) return kept.body;
  const { start, end } = windowBounds(date, tenant.timezone) as { start: string; end: string };
  if (!archiveOpen(end, now) || end <= tenant.createdAt) return null;
  const lines = await dayLines(env, tenant.id, start, end);
  if (lines === null) return null;
  const gzipped = await new Response(new Blob(lines).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
  await env.ARCHIVE.put(key, gzipped, { httpMetadata: { contentType: "application/gzip" }, customMetadata: { lines: String(lines.length), made_at: new Date(now).toISOString() } });
  return new Blob([gzipped]).stream();
}

/** Pages of a keyset read, `PAGE` rows at a time after the last row's position, until a short page. */
async function allPages<Row>(read: (after: [string, string]) => Promise<Row[]>, position: (row: Row) => [string, string]): Promise<Row[]> {
  const rows: Row[] = [];
  for (let after: [string, string] = ["", ""]; ; ) {
    const page = await read(after);
    rows.push(...page);
    if (page.length < PAGE) return rows;
    after = position(page[page.length - 1]);
  }
}

/**
 * The day's lines from every shard, operations by creation time then entries by posting time (across shards);
 * null while an operation of the day is still pending in D1 (its end has not reached the records yet).
 */
async function dayLines(env: Env, tenantId: string, start: string, end: string): Promise<string[] | null> {
  type OperationRow = OperationRowRead & { status: string };
  type EntryRow = Record<string, unknown> & { id: string; created_at: string };
  const shards = await tenantShards(env, tenantId);
  const perShard = await acrossShards(shards, async (d1) => ({
    operations: await allPages<OperationRow>(
      async (after) =>
        (
          await d1
            .prepare(
              `SELECT ${OPERATION_ROW}, status FROM operations WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3
                 AND (created_at > ?4 OR (created_at = ?4 AND id > ?5)) ORDER BY created_at, id LIMIT ${PAGE}`,
            )
            .bind(tenantId, start, end, after[0], after[1])
            .all<OperationRow>()
        ).results,
      (row) => [row.created_at, row.id],
    ),
    entries: await allPages<EntryRow>(
      async (after) =>
        (
          await d1
            .prepare(
              `SELECT * FROM (${historyLines("h.tenant_id = ?1 AND h.created_at >= ?2 AND h.created_at < ?3")})
               WHERE created_at > ?4 OR (created_at = ?4 AND id > ?5) ORDER BY created_at, id LIMIT ${PAGE}`,
            )
            .bind(tenantId, start, end, after[0], after[1])
            .all<EntryRow>()
        ).results,
      (row) => [row.created_at, row.id],
    ),
  }));
  const operations = mergeNewestFirst(perShard.map((s) => s.operations), (row) => [row.created_at, row.id]).reverse();
  if (operations.some((row) => row.status === "pending")) return null;
  const entries = mergeNewestFirst(perShard.map((s) => s.entries), (row) => [row.created_at, row.id]).reverse();
  return [
    ...operations.map((row) => `${JSON.stringify({ record: "operation", ...operationOfRow(row) })}\n`),
    ...entries.map((entry) => `${JSON.stringify({ record: "entry", ...entry })}\n`),
  ];
}
