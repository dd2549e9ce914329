/**
 * The tenant's event log on its shards (src/db/event-generations.ts says how a shard keeps it): listing, queueing one
 * event again for an endpoint, and forgetting it after 30 days.
 */
import { decodeCursor, toPage, type Page } from "../lib/pagination";
import { EVENT_DAYS, eventTables, LEGACY_EVENTS, legacyDone, listedTables, pastRetention, tableOf, tableWentAway } from "./event-generations";
import { isPosition, mergeNewestFirst } from "./newest-first";
import { acrossShards, type TenantShards } from "../shards/tenant-shards";
import type { Operation } from "../accounts/operation";
import { eventAt, eventOperationId, type EventMoment } from "../history/operation-moments";
import { memberOfOperation } from "../lib/ids";
import { operationOfRow, type OperationRowRead } from "./operation-rows";
import { tablesFrom } from "./record-tables";

export { EVENT_DAYS };

/**
 * An event as a shard reads it: a log row (its `payload` the whole event, or its moment beside its operation's row,
 * joined), or an operation.created listed from its operation's row (`created_moment`).
 */
interface EventRow {
  id: string;
  type: string;
  created_at: string;
  payload: string | null;
  created_moment: string | null;
  /** The operation's row (null: an event of another kind, or one logged whole). */
  op_type: string | null;
  member_id: string | null;
  store_id: string | null;
  register_id: string | null;
  op_created_at: string | null;
  body: string | null;
  moment: string | null;
}

/** One column of whichever operations' table an event's row found its operation in (`o0`, `o1`, …). */
const picked = (column: string, count: number) =>
  count === 0 ? "NULL" : `CASE ${Array.from({ length: count }, (_, i) => `WHEN o${i}.id IS NOT NULL THEN o${i}.${column}`).join(" ")} END`;

/**
 * A log table's rows with their operations' rows beside them (`e` the log rows; the operation is looked up by its
 * key in each of `operations`, the tables its creation time may be in).
 */
const withOperation = (logRows: string, operations: string[]) => `
  SELECT e.id, e.type, e.created_at, e.payload, NULL AS created_moment, ${picked("type", operations.length)} AS op_type,
    ${picked("member_id", operations.length)} AS member_id, ${picked("store_id", operations.length)} AS store_id,
    ${picked("register_id", operations.length)} AS register_id, ${picked("created_at", operations.length)} AS op_created_at,
    ${picked("body", operations.length)} AS body, ${picked("moment", operations.length)} AS moment
  FROM (${logRows}) e
  ${operations.map((table, i) => `LEFT JOIN ${table} o${i} ON o${i}.tenant_id = ?1 AND o${i}.created_at = e.payload ->> '$.at' AND o${i}.id = 'op_' || substr(e.id, 5, 32)`).join("\n  ")}`;

/**
 * The operation.created events the operations' rows list, of operations made since migration 0022 (an older one's is
 * logged whole), so the listing never reads through the rows of before.
 */
const CREATED_ID = "('evt_' || substr(id, 4) || '_created')";
const createdEvents = (where: string, table: string) => `
  SELECT ${CREATED_ID} AS id, 'operation.created' AS type, created_at, NULL AS payload, created_moment, type AS op_type,
    member_id, store_id, register_id, created_at AS op_created_at, body, moment
  FROM ${table} WHERE created_moment IS NOT NULL AND created_at >= (SELECT since FROM operation_moments_since) AND ${where}`;

/** The event a shard's row holds, as the API answers it. */
function eventOf(row: EventRow, livemode: boolean): object {
  const head = { id: row.id, type: row.type, created_at: row.created_at };
  const stored = row.payload === null ? null : (JSON.parse(row.payload) as Partial<EventMoment> & object);
  const moment = row.created_moment ?? (stored?.at ? JSON.stringify(stored.moment) : null);
  if (moment === null) return { livemode: true, ...stored };
  const operationRow = row.body ? ({ ...row, id: eventOperationId(row.id), type: row.op_type, created_at: row.op_created_at } as OperationRowRead) : null;
  // The operation's row is written in the batch that logs its moment; without it, the event still says what changed.
  const operation = operationRow ? operationOfRow(operationRow, moment) : ({ id: eventOperationId(row.id), ...(JSON.parse(moment) as object) } as Operation);
  return eventAt(head, operation, livemode);
}

/**
 * Runs a read over the event log's tables at `now` and the operations' tables its events' operations may be in (made
 * a day, the longest hold, before the oldest event listed), reading which there are once more if one went away
 * meanwhile (dropped by a clean-up between the two round trips).
 */
async function overListed<T>(d1: D1Database, now: number, read: (tables: string[], operations: string[]) => Promise<T>): Promise<T> {
  // An event's operation was made a day before it at most (the longest hold); ten more days leave room for an
  // expiry its account handled late.
  const operationsFrom = new Date(now - (EVENT_DAYS + 11) * 86_400_000).toISOString();
  const listed = () => Promise.all([listedTables(d1, now), tablesFrom(d1, "operations", operationsFrom)]);
  try {
    return await read(...(await listed()));
  } catch (error) {
    if (!tableWentAway(error)) throw error;
    return read(...(await listed()));
  }
}

/**
 * One page of the tenant's events of the last 30 days, newest first (the shared keyset pagination): each table gives
 * its newest page after the cursor by its key, the operations' rows give their operation.created events, and the
 * pages merge. With the table of before among them the merge drops repeats (a shipment retried across the move is in
 * both).
 */
export async function eventsPage(shards: TenantShards, query: { type?: string; created_after?: string; limit: number; cursor?: string }, now = Date.now()): Promise<Page<object>> {
  const position = decodeCursor(query.cursor, isPosition);
  const pages = await acrossShards(shards, (d1) => eventsOnShard(d1, shards.tenantId, query, position, now));
  // An event logged on two shards (an account re-shipped it across the deploy that put events beside their
  // operations) is listed once.
  const rows = mergeNewestFirst(pages, (row) => [row.created_at, row.id]).filter((row, i, all) => i === 0 || row.id !== all[i - 1].id || row.created_at !== all[i - 1].created_at);
  return toPage(rows, query.limit, (row) => eventOf(row, shards.livemode), (row) => [row.created_at, row.id]);
}

/** One shard's page of the tenant's events after the cursor (one row more than the page). */
async function eventsOnShard(d1: D1Database, tenantId: string, query: { type?: string; created_after?: string; limit: number }, position: [string, string] | null, now: number): Promise<EventRow[]> {
  const oldest = new Date(now - EVENT_DAYS * 86_400_000).toISOString();
  const after = query.created_after && query.created_after > oldest ? query.created_after : oldest;
  const since = query.created_after ? "created_at > ?2" : "created_at >= ?2";
  const where = ["tenant_id = ?1", since];
  if (query.type) where.push("type = ?3");
  if (position) where.push("(created_at < ?4 OR (created_at = ?4 AND id < ?5))");
  const newest = "ORDER BY created_at DESC, id DESC LIMIT ?6";
  const listsCreated = !query.type || query.type === "operation.created";
  const created = ["tenant_id = ?1", since, ...(position ? [`(created_at < ?4 OR (created_at = ?4 AND ${CREATED_ID} < ?5))`] : [])];
  return overListed(d1, now, async (tables, operations) => {
    const legacy = tables.includes(LEGACY_EVENTS);
    const logged = tables.map((table) => `SELECT * FROM (SELECT id, type, created_at, payload FROM ${table} WHERE ${where.join(" AND ")} ${newest})`);
    const parts = [
      ...(logged.length > 0 ? [`SELECT * FROM (${withOperation(`${logged.join(legacy ? " UNION " : " UNION ALL ")} ${newest}`, operations)})`] : []),
      ...(listsCreated ? operations.map((table) => `SELECT * FROM (${createdEvents(created.join(" AND "), table)} ORDER BY created_at DESC, id DESC LIMIT ?6)`) : []),
    ];
    if (parts.length === 0) return [];
    const read = await d1
      .prepare(`${parts.join(" UNION ALL ")} ${newest}`)
      .bind(tenantId, after, query.type ?? null, position?.[0] ?? null, position?.[1] ?? null, query.limit + 1)
      .all<EventRow>();
    return read.results;
  });
}

/**
 * Queues an event for an endpoint to be sent now: a delivery given up or delivered is opened again with one more
 * try; one never made is made from the event log. False: no such event of the tenant in the last 30 days.
 */
export async function queueAgain(shards: TenantShards, eventId: string, endpointId: string, maxAttempts: number, now = Date.now()): Promise<boolean> {
  // The event is on one of the tenant's shards: its delivery is queued beside it.
  const queued = await acrossShards(shards, (d1) => queueAgainOnShard(d1, shards, eventId, endpointId, maxAttempts, now));
  return queued.some(Boolean);
}

async function queueAgainOnShard(d1: D1Database, shards: TenantShards, eventId: string, endpointId: string, maxAttempts: number, now: number): Promise<boolean> {
  const oldest = new Date(now - EVENT_DAYS * 86_400_000).toISOString();
  const row = await overListed(d1, now, async (tables, operations) => {
    const logged = tables.map((table) => `SELECT id, type, created_at, payload FROM ${table} WHERE tenant_id = ?1 AND id = ?2 AND created_at >= ?3`);
    // An operation.created is listed from its operation's row, found by the member its id names.
    const created = operations.map((table) => `${createdEvents(`tenant_id = ?1 AND member_id = ?4 AND id = ?5 AND created_at >= ?3`, table)} AND ${CREATED_ID} = ?2`);
    const operationId = eventOperationId(eventId);
    const parts = [...(logged.length > 0 ? [withOperation(logged.join(" UNION ALL "), operations)] : []), ...created];
    return d1
      .prepare(`SELECT * FROM (${parts.join(" UNION ALL ")}) LIMIT 1`)
      .bind(shards.tenantId, eventId, oldest, memberOfOperation(operationId), operationId)
      .first<EventRow>();
  });
  if (!row) return false;
  const queued = await d1
    .prepare(
      `INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, type, payload, attempts, next_attempt_at, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)
       ON CONFLICT(event_id, endpoint_id) DO UPDATE SET delivered_at = NULL, next_attempt_at = ?6, attempts = MIN(attempts, ?8)`,
    )
    .bind(row.id, endpointId, shards.tenantId, row.type, JSON.stringify(eventOf(row, shards.livemode)), now, new Date(now).toISOString(), maxAttempts - 1)
    .run();
  return (queued.meta.changes ?? 0) > 0;
}

/** At most this many rows of each table go in one clean-up, so it stays a small write however much piled up. */
const FORGET_BATCH = 500;

/** How long the SMS of a test tenant (and of development) stay in GET /v1/test/sms. */
export const TEST_SMS_DAYS = 7;

/** Drops the tenant's test SMS older than 7 days (in the directory), at most a batch of them; run again, the next. */
export async function forgetOldTestSms(d1: D1Database, tenantId: string, now = Date.now()): Promise<void> {
  const smsBefore = new Date(now - TEST_SMS_DAYS * 86_400_000).toISOString();
  await d1.prepare("DELETE FROM dev_sms WHERE rowid IN (SELECT rowid FROM dev_sms WHERE tenant_id = ?1 AND created_at < ?2 LIMIT ?3)").bind(tenantId, smsBefore, FORGET_BATCH).run();
}

/**
 * Drops from a shard what is older than 30 days: the event log's generations wholly past it (every tenant's: a table
 * is shared), delivery attempts, and deliveries delivered or given up (`maxAttempts` made) — one sent again lately is
 * still being tried, and stays. Run again, it drops the next rows or nothing. Each table has an index by tenant and
 * time for it (migrations 0012, 0015). Then the table of before, once it may go.
 */
export async function forgetOldLogs(d1: D1Database, tenantId: string, maxAttempts: number, now = Date.now()): Promise<void> {
  const before = new Date(now - EVENT_DAYS * 86_400_000).toISOString();
  const { generations, legacy } = await eventTables(d1);
  await d1.batch([
    d1.prepare("DELETE FROM webhook_attempts WHERE rowid IN (SELECT rowid FROM webhook_attempts WHERE tenant_id = ?1 AND at < ?2 LIMIT ?3)").bind(tenantId, before, FORGET_BATCH),
    d1
      .prepare(
        `DELETE FROM webhook_deliveries WHERE rowid IN (SELECT rowid FROM webhook_deliveries
           WHERE tenant_id = ?1 AND created_at < ?2 AND (delivered_at IS NOT NULL OR attempts >= ?4) LIMIT ?3)`,
      )
      .bind(tenantId, before, FORGET_BATCH, maxAttempts),
    ...pastRetention(generations, now).map((generation) => d1.prepare(`DROP TABLE IF EXISTS ${tableOf(generation)}`)),
  ]);
  if (legacy) await forgetLegacyEvents(d1, now);
}

/** Drops the event log's table of before once it is empty, or once every row it can have is past the 30 days. */
async function forgetLegacyEvents(d1: D1Database, now: number): Promise<void> {
  try {
    const state = await d1
      .prepare(`SELECT (SELECT since FROM event_log_generations LIMIT 1) AS since, EXISTS (SELECT 1 FROM ${LEGACY_EVENTS}) AS any_row`)
      .first<{ since: string | null; any_row: number }>();
    if (state && legacyDone(state.since, state.any_row === 1, now)) await d1.prepare(`DROP TABLE IF EXISTS ${LEGACY_EVENTS}`).run();
  } catch (error) {
    // Another writer dropped it between the two reads: it is gone either way.
    if (!tableWentAway(error)) throw error;
  }
}
