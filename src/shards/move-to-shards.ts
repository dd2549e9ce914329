/**
 * The move of before the shards: every row of what now lives on shards (operations, history, the event log, webhook
 * deliveries and attempts) from the one database `DB` to `shard-0`, where tenants of before the shards are placed
 * (their placement is `[]`). A chunk at a time: copied (a row already there is kept), checked there by its key, and
 * only then deleted from DB. Run again after a failure, it goes on where it stopped; run on a moved database, it
 * moves nothing. A tenant's rows written meanwhile go to shard-0 already, so the move never races a writer.
 */
import type { Env } from "../env";
import { eventTables, makeGeneration, tableOf } from "../db/event-generations";
import { FIRST_SHARD } from "./placement";
import { shardDatabase } from "./tenant-shards";

const CHUNK = 200;

/** What moved from one table: rows, and the sum of its money column where it has one (history's amounts). */
export interface TableMoved {
  table: string;
  rows: number;
  sum: number | null;
}

const SUMMED: Record<string, string> = { history_entries: "amount" };

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
  const moved: TableMoved = { table, rows: 0, sum: SUMMED[table] ? 0 : null };
  for (;;) {
    const chunk = await from.prepare(`SELECT ${list} FROM "${table}" LIMIT ${CHUNK}`).all<Record<string, unknown>>();
    if (chunk.results.length === 0) return moved;
    const rows = JSON.stringify(chunk.results);
    await to.prepare(`INSERT OR IGNORE INTO "${table}" (${list}) SELECT ${fromJson} FROM json_each(?1) r`).bind(rows).run();
    const there = await to.prepare(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${keyTuple} IN ${keysIn}`).bind(rows).first<number>("n");
    if (there !== chunk.results.length) throw new Error(`${table}: ${there} of ${chunk.results.length} rows reached ${FIRST_SHARD}; nothing of this chunk was deleted`);
    await from.prepare(`DELETE FROM "${table}" WHERE ${keyTuple} IN ${keysIn}`).bind(rows).run();
    moved.rows += chunk.results.length;
    if (moved.sum !== null) for (const row of chunk.results) moved.sum += Number(row[SUMMED[table]]);
  }
}

/** Moves every shard table's rows from DB to shard-0; what each table held, moved. */
export async function moveToShards(env: Env): Promise<TableMoved[]> {
  const to = shardDatabase(env, FIRST_SHARD);
  const { generations, legacy } = await eventTables(env.DB);
  for (const generation of generations) await makeGeneration(to, generation).run();
  const tables = ["operations", "history_entries", "webhook_deliveries", "webhook_attempts", ...generations.map(tableOf), ...(legacy ? ["events"] : [])];
  const moved: TableMoved[] = [];
  for (const table of tables) moved.push(await moveTable(env.DB, to, table));
  return moved;
}
