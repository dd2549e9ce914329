/**
 * Where the event log lives in D1: one table per 10 days of event time (`events_<n>`, n = created_at ÷ 10 days),
 * each keyed (tenant, created_at, id) WITHOUT ROWID, shared by every tenant. The log is listed for 30 days; a
 * generation is dropped whole once its last day is 30 days old, so an event is kept 30 to 40 days. Dropping a table
 * writes no row, where deleting events one by one wrote one more row per event.
 *
 * `events`, the one table of before (migrations 0011–0017), is read beside them while it is there: each tenant's
 * clean-up deletes its rows past 30 days as it always did, and the table is dropped once it is empty.
 */

/** The log is listed (and redelivered from) for this long. */
export const EVENT_DAYS = 30;
const EVENT_RETENTION_MS = EVENT_DAYS * 86_400_000;
const GENERATION_MS = 10 * 86_400_000;

export const LEGACY_EVENTS = "events";

export const generationOf = (createdAt: string) => Math.floor(Date.parse(createdAt) / GENERATION_MS);
export const tableOf = (generation: number) => `events_${generation}`;

/** The statement that makes a generation's table; run before each insert into it (nothing when it is there). */
export const makeGeneration = (db: D1Database, generation: number) =>
  db.prepare(
    `CREATE TABLE IF NOT EXISTS ${tableOf(generation)} (
       id TEXT NOT NULL, tenant_id TEXT NOT NULL, type TEXT NOT NULL, created_at TEXT NOT NULL, payload TEXT NOT NULL,
       PRIMARY KEY (tenant_id, created_at, id)
     ) WITHOUT ROWID`,
  );

/** The event log's tables there are: the generations, newest first, and whether the table of before is still there. */
export async function eventTables(db: D1Database): Promise<{ generations: number[]; legacy: boolean }> {
  const rows = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND (name = ?1 OR name GLOB 'events_[0-9]*')")
    .bind(LEGACY_EVENTS)
    .all<{ name: string }>();
  const names = rows.results.map((row) => row.name);
  const generations = names.filter((name) => name !== LEGACY_EVENTS).map((name) => Number(name.slice("events_".length)));
  return { generations: generations.sort((a, b) => b - a), legacy: names.includes(LEGACY_EVENTS) };
}

/** The tables that may hold events listed at `now` (created in the last 30 days, or later), newest first. */
export async function listedTables(db: D1Database, now: number): Promise<string[]> {
  const { generations, legacy } = await eventTables(db);
  const oldest = Math.floor((now - EVENT_RETENTION_MS) / GENERATION_MS);
  return [...generations.filter((g) => g >= oldest).map(tableOf), ...(legacy ? [LEGACY_EVENTS] : [])];
}

/** The generations whose every event is past the 30 days at `now`: to be dropped. */
export const pastRetention = (generations: number[], now: number) => generations.filter((g) => (g + 1) * GENERATION_MS <= now - EVENT_RETENTION_MS);
