/**
 * Where a shard keeps operations and their journal entries (migration 0023): one table of each per 10 days of
 * creation time (`operations_<n>`, `history_<n>`, n = created_at ÷ 10 days, as the event log's generations), shared
 * by the shard's tenants, made by the first batch that writes to it. A tenant reads only its own window (its
 * `history_retention_days`); a generation leaves the shard whole — dropping a table writes no row — once the longest
 * retention of the shard's tenants has passed it and each of its tenants' days is archived in R2
 * (`src/archive/retention.ts`).
 *
 * `operations` and `history_entries`, the tables of before, get no new row: they are read beside the generations,
 * and a new version of an operation that lives there is written there.
 */
import { generationOf, tableWentAway } from "./event-generations";

export type RecordKind = "operations" | "history";

/** The table of before of each kind. */
export const BEFORE: Record<RecordKind, string> = { operations: "operations", history: "history_entries" };
export const recordTable = (kind: RecordKind, generation: number) => `${kind}_${generation}`;

const SHAPES: Record<RecordKind, (table: string) => string[]> = {
  operations: (table) => [
    `CREATE TABLE IF NOT EXISTS ${table} (
       id TEXT NOT NULL, tenant_id TEXT NOT NULL, member_id TEXT NOT NULL, store_id TEXT, register_id TEXT, type TEXT NOT NULL,
       status TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL, moment TEXT, created_moment TEXT, created_at TEXT NOT NULL,
       PRIMARY KEY (tenant_id, created_at, id)
     ) WITHOUT ROWID`,
    `CREATE INDEX IF NOT EXISTS ${table}_member ON ${table}(tenant_id, member_id, created_at)`,
  ],
  history: (table) => [
    `CREATE TABLE IF NOT EXISTS ${table} (
       id TEXT NOT NULL, tenant_id TEXT NOT NULL, member_id TEXT NOT NULL, seq INTEGER NOT NULL, operation_id TEXT NOT NULL,
       kind TEXT NOT NULL, method TEXT NOT NULL, amount INTEGER NOT NULL, balance_after INTEGER NOT NULL, store_id TEXT,
       register_id TEXT, created_at TEXT NOT NULL, more_entries TEXT,
       PRIMARY KEY (tenant_id, created_at, member_id, seq)
     ) WITHOUT ROWID`,
  ],
};

/** The statements that make a generation's table of a kind (nothing when it is there). */
export const makeRecordTable = (db: D1Database, kind: RecordKind, generation: number) => SHAPES[kind](recordTable(kind, generation)).map((sql) => db.prepare(sql));

/** The generations of each kind a shard has, oldest first. */
export async function recordGenerations(db: D1Database): Promise<Record<RecordKind, number[]>> {
  const rows = await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND (name GLOB 'operations_[0-9]*' OR name GLOB 'history_[0-9]*')").all<{ name: string }>();
  const of = (kind: RecordKind) =>
    rows.results
      .filter((row) => row.name.startsWith(`${kind}_`))
      .map((row) => Number(row.name.slice(kind.length + 1)))
      .sort((a, b) => a - b);
  return { operations: of("operations"), history: of("history") };
}

/** The tables that may hold a kind's rows made at or after `from`: its generations from `from`'s on, and the table of before. */
export async function tablesFrom(db: D1Database, kind: RecordKind, from: string): Promise<string[]> {
  const first = generationOf(from);
  return [...(await recordGenerations(db))[kind].filter((g) => g >= first).map((g) => recordTable(kind, g)), BEFORE[kind]];
}

/**
 * Runs a read over a kind's tables from `from` on, listing them once more if one went away meanwhile (a generation
 * dropped between the two round trips).
 */
export async function overRecords<T>(db: D1Database, kind: RecordKind, from: string, read: (tables: string[]) => Promise<T>): Promise<T> {
  try {
    return await read(await tablesFrom(db, kind, from));
  } catch (error) {
    if (!tableWentAway(error)) throw error;
    return read(await tablesFrom(db, kind, from));
  }
}

/** The start of a tenant's window at `now`: what its reads show goes back `retentionDays`. */
export const windowStart = (retentionDays: number, now = Date.now()) => new Date(now - retentionDays * 86_400_000).toISOString();

/** The later of two ISO times (a read's own bound, and the window's start). */
export const laterOf = (a: string | undefined, b: string) => (a !== undefined && a > b ? a : b);
