/**
 * The move of before the shards: every row of what now lives on shards (operations, history, the event log, webhook
 * deliveries and attempts) from the one database `DB` to `shard-0`, where tenants of before the shards are placed
 * (their placement is `[]`). A chunk at a time: copied (a row already there is kept), checked there by its key, and
 * only then deleted from DB. Run again after a failure, it goes on where it stopped; run on a moved database, it
 * moves nothing. A tenant's rows written meanwhile go to shard-0 already, so the move never races a writer.
 */
import type { Env } from "../env";
import { eventTables, LEGACY_EVENTS, tableOf } from "../db/event-generations";
import { recordGenerations, recordTable } from "../db/record-tables";
import { webhooksOf } from "../objects";
import { MAX_ATTEMPTS } from "../webhooks/webhook-do";
import { FIRST_SHARD } from "./placement";
import { shardDatabase } from "./tenant-shards";

const CHUNK = 200;
/** A chunk travels as one bound JSON value: kept below D1's 2 MB a value, as the writers' chunks are. */
const CHUNK_BYTES = 512 * 1024;

/** What moved from one table: rows, and the sum of its money column where it has one (history's amounts). */
export interface TableMoved {
  table: string;
  rows: number;
  sum: number | null;
}

/** History's sum of amounts: each row's own, and those of the entries in its `more_entries`. */
const historySum = (row: Record<string, unknown>) => Number(row.amount) + ((row.more_entries ? JSON.parse(String(row.more_entries)) : []) as { amount: number }[]).reduce((sum, e) => sum + e.amount, 0);
const summed = (table: string) => (table === "history_entries" || /^history_\d+$/.test(table) ? historySum : null);

async function columnsOf(db: D1Database, table: string) {
  const info = await db.prepare(`SELECT name, pk FROM pragma_table_info(?)`).bind(table).all<{ name: string; pk: number }>();
  const columns = info.results.map((c) => c.name);
  const key = info.results.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  // Every table moved has a key of its own: a rowid would name another row on the shard.
  if (key.length === 0) throw new Error(`${table} has no primary key to move it by`);
  return { columns, key };
}

async function moveTable(from: D1Database, to: D1Database, table: string): Promise<TableMoved> {
  const { columns, key } = await columnsOf(from, table);
  const list = columns.map((c) => `"${c}"`).join(", ");
  const fromJson = columns.map((c) => `r.value ->> '$."${c}"'`).join(", ");
  const keyTuple = `(${key.map((c) => `"${c}"`).join(", ")})`;
  const keysIn = `(SELECT ${key.map((c) => `r.value ->> '$."${c}"'`).join(", ")} FROM json_each(?1) r)`;
  const sum = summed(table);
  const moved: TableMoved = { table, rows: 0, sum: sum ? 0 : null };
  for (let size = CHUNK; ; ) {
    const read = await from.prepare(`SELECT ${list} FROM "${table}" LIMIT ${size}`).all<Record<string, unknown>>();
    if (read.results.length === 0) return moved;
    let chunk = read.results;
    let rows = JSON.stringify(chunk);
    // Large bodies: fewer rows at a time, down to one.
    while (rows.length > CHUNK_BYTES && chunk.length > 1) {
      chunk = chunk.slice(0, Math.ceil(chunk.length / 2));
      rows = JSON.stringify(chunk);
    }
    size = chunk.length < read.results.length ? chunk.length : CHUNK;
    await to.prepare(`INSERT OR IGNORE INTO "${table}" (${list}) SELECT ${fromJson} FROM json_each(?1) r`).bind(rows).run();
    const there = await to.prepare(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${keyTuple} IN ${keysIn}`).bind(rows).first<number>("n");
    if (there !== chunk.length) throw new Error(`${table}: ${there} of ${chunk.length} rows reached ${FIRST_SHARD}; nothing of this chunk was deleted`);
    await from.prepare(`DELETE FROM "${table}" WHERE ${keyTuple} IN ${keysIn}`).bind(rows).run();
    moved.rows += chunk.length;
    if (sum && moved.sum !== null) for (const row of chunk) moved.sum += sum(row);
  }
}

/**
 * The table as DB has it, made on the shard if the shard has none: an event generation, or the event log's table of
 * before, which a shard's writer drops once it is empty there.
 */
async function makeOnShard(from: D1Database, to: D1Database, table: string): Promise<void> {
  const made = await from.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").bind(table).first<string>("sql");
  if (made) await to.prepare(made.replace(/^CREATE TABLE\s+/i, "CREATE TABLE IF NOT EXISTS ")).run();
}

/**
 * Moves every shard table's rows from DB to shard-0; what each table held, moved. Then wakes the webhook sender of
 * every tenant whose deliveries are still being tried: they wait on shard-0 now.
 */
export async function moveToShards(env: Env): Promise<TableMoved[]> {
  const to = shardDatabase(env, FIRST_SHARD);
  const [{ generations, legacy }, records] = await Promise.all([eventTables(env.DB), recordGenerations(env.DB)]);
  const tables = [
    "operations",
    "history_entries",
    ...records.operations.map((g) => recordTable("operations", g)),
    ...records.history.map((g) => recordTable("history", g)),
    "webhook_deliveries",
    "webhook_attempts",
    ...generations.map(tableOf),
    ...(legacy ? [LEGACY_EVENTS] : []),
  ];
  const moved: TableMoved[] = [];
  for (const table of tables) {
    await makeOnShard(env.DB, to, table);
    moved.push(await moveTable(env.DB, to, table));
  }
  const waiting = await to
    .prepare("SELECT DISTINCT tenant_id FROM webhook_deliveries WHERE delivered_at IS NULL AND attempts < ?")
    .bind(MAX_ATTEMPTS)
    .all<{ tenant_id: string }>();
  await Promise.all(waiting.results.map(({ tenant_id }) => webhooksOf(env, tenant_id).kick(tenant_id)));
  return moved;
}
