/**
 * A day's records as NDJSON lines, read a page at a time from each of the tenant's shards and merged in order, so a
 * day of any size passes through in pages: the operations made in the window by creation time, then the journal
 * entries posted in it by posting time (each `(created_at, id)` ascending across the shards).
 */
import type { TenantShards } from "../shards/tenant-shards";
import { historyLines } from "../db/history";
import { operationOfRow, OPERATION_ROW, type OperationRowRead } from "../db/operation-rows";
import { overRecords } from "../db/record-tables";

const PAGE = 1000;
type Position = [string, string];
type EntryRow = Record<string, unknown> & { id: string; created_at: string };

/** A keyset read's rows, `PAGE` at a time after the last row's position, until a short page. */
async function* pages<Row extends { id: string; created_at: string }>(read: (after: Position) => Promise<Row[]>): AsyncGenerator<Row> {
  for (let after: Position = ["", ""]; ; ) {
    const page = await read(after);
    yield* page;
    if (page.length < PAGE) return;
    const last = page[page.length - 1];
    after = [last.created_at, last.id];
  }
}

const before = (a: { created_at: string; id: string }, b: { created_at: string; id: string }) => (a.created_at === b.created_at ? a.id < b.id : a.created_at < b.created_at);

/** Several ascending sources as one ascending sequence (a k-way merge holding one row of each). */
export async function* mergeAscending<Row extends { id: string; created_at: string }>(sources: AsyncIterator<Row>[]): AsyncGenerator<Row> {
  const heads = await Promise.all(sources.map((source) => source.next()));
  for (;;) {
    let next = -1;
    for (let i = 0; i < heads.length; i++) if (!heads[i].done && (next < 0 || before(heads[i].value, heads[next].value))) next = i;
    if (next < 0) return;
    yield heads[next].value as Row;
    heads[next] = await sources[next].next();
  }
}

/** The day's lines: `{"record":"operation",…}` for each operation made in [start, end), then `{"record":"entry",…}`. */
export async function* dayLines(shards: TenantShards, start: string, end: string): AsyncGenerator<string> {
  const after = "(created_at > ?4 OR (created_at = ?4 AND id > ?5)) ORDER BY created_at, id LIMIT ?6";
  const operations = shards.all.map(({ d1 }) =>
    pages<OperationRowRead>((position) =>
      overRecords(d1, "operations", start, async (tables) => {
        const each = tables.map((table) => `SELECT * FROM (SELECT ${OPERATION_ROW} FROM ${table} WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3 AND ${after})`);
        return (await d1.prepare(`${each.join(" UNION ALL ")} ORDER BY created_at, id LIMIT ?6`).bind(shards.tenantId, start, end, position[0], position[1], PAGE).all<OperationRowRead>()).results;
      }),
    ),
  );
  for await (const row of mergeAscending(operations)) yield `${JSON.stringify({ record: "operation", ...operationOfRow(row) })}\n`;
  const entries = shards.all.map(({ d1 }) =>
    pages<EntryRow>((position) =>
      overRecords(d1, "history", start, async (tables) => {
        const each = tables.map((table) => `SELECT * FROM (SELECT * FROM (${historyLines("h.tenant_id = ?1 AND h.created_at >= ?2 AND h.created_at < ?3", table)}) WHERE ${after})`);
        return (await d1.prepare(`${each.join(" UNION ALL ")} ORDER BY created_at, id LIMIT ?6`).bind(shards.tenantId, start, end, position[0], position[1], PAGE).all<EntryRow>()).results;
      }),
    ),
  );
  for await (const entry of mergeAscending(entries)) yield `${JSON.stringify({ record: "entry", ...entry })}\n`;
}
