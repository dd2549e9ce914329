/**
 * Where the event log lives in D1: one table per 10 days of event time (`events_<n>`, n = created_at ÷ 10 days),
 * each keyed (tenant, created_at, id) WITHOUT ROWID, shared by every tenant. The log is listed for 30 days; a
 * generation is dropped whole a day after its last day is 30 days old (the day keeps a listing that just named it
 * from finding it gone), so an event is kept 31 to 41 days. Dropping a table writes no row, where deleting events one
 * by one wrote one more row per event.
 *
 * `events`, the one table of before (migrations 0011–0017), gets no row since migration 0018: it is read beside the
 * generations until it is dropped, once empty or 31 days after that migration ran (every row it has is past the
 * log's 30 days then).
 */

/** The log is listed (and redelivered from) for this long. */
export const EVENT_DAYS = 30;
const DAY_MS = 86_400_000;
const EVENT_RETENTION_MS = EVENT_DAYS * DAY_MS;
export const GENERATION_MS = 10 * DAY_MS;

export const LEGACY_EVENTS = "events";

export const generationOf = (createdAt: string) => Math.floor(Date.parse(createdAt) / GENERATION_MS);

/** Rows by the generation of their creation time (the event log's, and operations' and history's: src/db/record-tables.ts). */
export function byGeneration<Row extends { created_at: string }>(rows: Row[]): Map<number, Row[]> {
  const by = new Map<number, Row[]>();
  for (const row of rows) {
    const generation = generationOf(row.created_at);
    const inIt = by.get(generation);
    if (inIt) inIt.push(row);
    else by.set(generation, [row]);
  }
  return by;
}
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

/** The generations to drop at `now`: every event of theirs has been past the 30 days for a day. */
export const pastRetention = (generations: number[], now: number) => generations.filter((g) => (g + 1) * GENERATION_MS + DAY_MS <= now - EVENT_RETENTION_MS);

/** Whether the table of before may go at `now`, given when migration 0018 ran (`since`) and whether it has a row. */
export const legacyDone = (since: string | null, anyRow: boolean, now: number) =>
  !anyRow || (since !== null && Date.parse(since) + EVENT_RETENTION_MS + DAY_MS <= now);

/** Whether a D1 error is a table the statement named having gone meanwhile (a generation dropped under a listing). */
export const tableWentAway = (error: unknown) => /no such table/i.test(String(error));
