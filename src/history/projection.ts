/**
 * The D1 projection of what accounts decided, one part of a tenant's shipments at a time: on a shard, operations
 * (for lists; kept once, as src/history/operation-moments.ts says) and journal entries (history, a settlement's
 * entries in one row), each in the generation table of its creation time (src/db/record-tables.ts), and the event
 * log with its webhook deliveries; in the directory (DB), alerts, card statuses and audit entries
 * (src/history/shipment-parts.ts splits a shipment). Many accounts' parts go in one D1 batch. Every statement is
 * idempotent — journal entries are inserted by their time, member and sequence number (a retry cannot duplicate),
 * operations (keyed by tenant, creation time and id) and cards are replaced only by a higher version, alerts, events
 * and deliveries by their ids — so shipping the same shipment twice adds nothing.
 */
import type { Env } from "../env";
import type { AuditEntry } from "../audit/audit-chain";
import type { Alert } from "../limits/limit";
import type { Card, JournalEntry, OperationRecord } from "../accounts/operation";
import { shardRows, type OperationBase } from "./operation-moments";
import { jsonChunks } from "../lib/json-chunks";
import { alertStatements, announceAlerts, changedAny, eventStatements, wakeWebhooks, type TillsafeEvent } from "../webhooks/events";
import { liveWebhookEndpoints } from "../db/webhook-endpoints";
import { countShardRows } from "../db/shards";
import { byGeneration, tableWentAway } from "../db/event-generations";
import { makeRecordTable, recordTable, type RecordKind } from "../db/record-tables";
import { historyRows } from "../db/history";
import { shardDatabase, tenantPlace } from "../shards/tenant-shards";
import { DIRECTORY } from "./shipment-parts";

/** What one object ships to D1 at once: an account (its member's rows), or a store or the tenant (alerts only). */
export interface Shipment {
  tenant_id: string;
  /** The account's member (null: a store's or the tenant's shipment, which has no operations, entries or cards). */
  member_id: string | null;
  /** Each operation as it is now, with its base (none from an account of before: its row then holds it whole). */
  operations: (Pick<OperationRecord, "operation" | "version"> & { base?: OperationBase })[];
  entries: JournalEntry[];
  cards: (Card & { version: number })[];
  alerts: Alert[];
  events: TillsafeEvent[];
  /** Audit entries of changes the account decided (written by the route too: stored once, by id). */
  audits: AuditEntry[];
}

export const isEmptyShipment = (s: Shipment) =>
  s.operations.length + s.entries.length + s.cards.length + s.alerts.length + s.events.length + (s.audits ?? []).length === 0;

/**
 * A shard writer's count of the rows it wrote, for the shard's rows a day (`shard_days`): added to a batch at most
 * once a minute, with everything written since, so counting costs no row per batch. What an evicted writer had not
 * added yet is lost: the figure is a rate, not a ledger.
 */
class ShardRowTally {
  private pending = 0;
  private countedAt = 0;
  static readonly EVERY_MS = 60_000;

  /** The rows of this batch, and whether the batch carries the count. */
  take(rows: number, now = Date.now()): { count: number | null; done(): void } {
    const due = now - this.countedAt >= ShardRowTally.EVERY_MS;
    return {
      count: due ? this.pending + rows : null,
      done: () => {
        if (!due) return void (this.pending += rows);
        this.pending = 0;
        this.countedAt = now;
      },
    };
  }
}

/** What a shard's writer keeps between its batches (an evicted writer's successor starts again). */
export class ShardNotes {
  readonly tally = new ShardRowTally();
  /** The event log's generations this writer's batches made: later batches leave their CREATE out. */
  readonly generations = new Set<number>();
  /** The same for the operations' and history's generation tables (src/db/record-tables.ts). */
  private readonly records = new Set<string>();
  private readonly making = new Set<string>();

  /** The statements making a record table, unless this writer's batches made it already. */
  make(db: D1Database, kind: RecordKind, generation: number): D1PreparedStatement[] {
    const table = recordTable(kind, generation);
    if (this.records.has(table)) return [];
    this.making.add(table);
    return makeRecordTable(db, kind, generation);
  }

  /** A batch was written: what it made is there. */
  written(generations: number[]): void {
    for (const generation of generations) this.generations.add(generation);
    for (const table of this.making) this.records.add(table);
    this.making.clear();
  }

  /** A batch failed: what it would have made is not known to be there; a table gone (dropped) is made again. */
  failed(tableGone: boolean): void {
    this.making.clear();
    if (!tableGone) return;
    this.generations.clear();
    this.records.clear();
  }
}

/** Writes one target's parts of a tenant's shipments in one D1 batch: the directory's, or a shard's. */
export function projectShipments(env: Env, tenantId: string, target: string, shipments: Shipment[], notes: ShardNotes): Promise<void> {
  return target === DIRECTORY ? projectToDirectory(env, tenantId, shipments) : projectToShard(env, tenantId, target, shipments, notes);
}

async function projectToDirectory(env: Env, tenantId: string, shipments: Shipment[]): Promise<void> {
  const db = env.DB;
  const statements: D1PreparedStatement[] = [];
  for (const s of shipments) {
    for (const card of s.cards) {
      statements.push(
        db
          .prepare(
            `UPDATE cards SET status = ?, block_reason = ?, replaced_by = ?, version = ?
             WHERE tenant_id = ? AND member_id = ? AND number = ? AND version < ?`,
          )
          .bind(card.status, card.block_reason, card.replaced_by, card.version, tenantId, s.member_id, card.number, card.version),
      );
    }
  }
  for (const chunk of jsonChunks(shipments.flatMap((s) => s.audits))) {
    statements.push(
      db
        .prepare(
          `INSERT INTO audit_log (id, tenant_id, actor, actor_type, action, subject_id, before, after, created_at)
           SELECT a.value ->> '$.id', ?2, a.value ->> '$.actor', a.value ->> '$.actor_type', a.value ->> '$.action',
             a.value ->> '$.subject_id', a.value ->> '$.before', a.value ->> '$.after', a.value ->> '$.created_at'
           FROM json_each(?1) a WHERE true
           ON CONFLICT DO NOTHING`,
        )
        .bind(chunk, tenantId),
    );
  }
  const alerts = shipments.flatMap((s) => s.alerts);
  const alertInserts = new Set(alertStatements(db, tenantId, alerts));
  statements.push(...alertInserts);
  if (statements.length === 0) return;
  const results = await db.batch(statements);
  if (changedAny(alertInserts, statements, results)) await announceAlerts(env, tenantId, alerts);
}

async function projectToShard(env: Env, tenantId: string, shard: string, shipments: Shipment[], notes: ShardNotes): Promise<void> {
  const db = shardDatabase(env, shard);
  const statements: D1PreparedStatement[] = [];
  const events = shipments.flatMap((s) => s.events);
  const [tenant, live] = await Promise.all([tenantPlace(env, tenantId), events.length > 0 ? liveWebhookEndpoints(env.DB, tenantId) : []]);
  // An operation's row keeps its base once; its events keep their moments (src/history/operation-moments.ts).
  const rows = shardRows(shipments.flatMap((s) => s.operations), events, tenant.livemode);
  // A settlement's entries share one row (a purchase earning points: its payment and its accrual).
  const entries = historyRows(shipments.flatMap((s) => s.entries.map((entry) => ({ ...entry, member_id: s.member_id }))));
  // Operations and journal entries travel as JSON arrays, one statement per array however many rows, into the table
  // of their creation time's generation (src/db/record-tables.ts). A newer version replaces the row's state, base and
  // moment together (the base is the same at every version an account ships); its operation.created moment is
  // written with the row only. The create's messages always travel together, so a row is made with its created
  // event; one shipped again (an account restarted) finds the row there — and a row of before migration 0022 has that
  // event logged whole already. An operation that lives in the table of before is updated there.
  for (const [generation, inIt] of byGeneration(rows.operations)) {
    const table = recordTable("operations", generation);
    statements.push(...notes.make(db, "operations", generation));
    for (const chunk of jsonChunks(inIt)) {
      statements.push(
        db
          .prepare(
            `UPDATE operations SET status = o.value ->> '$.status', version = o.value ->> '$.version', body = o.value -> '$.body', moment = o.value -> '$.moment'
             FROM json_each(?1) o
             WHERE operations.tenant_id = ?2 AND operations.created_at = o.value ->> '$.created_at' AND operations.id = o.value ->> '$.id'
               AND operations.version < o.value ->> '$.version'`,
          )
          .bind(chunk, tenantId),
        db
          .prepare(
            `INSERT INTO ${table} (id, tenant_id, member_id, store_id, register_id, type, status, version, body, moment, created_moment, created_at)
             SELECT o.value ->> '$.id', ?2, o.value ->> '$.member_id', o.value ->> '$.store_id', o.value ->> '$.register_id',
               o.value ->> '$.type', o.value ->> '$.status', o.value ->> '$.version', o.value -> '$.body', o.value -> '$.moment',
               o.value -> '$.created', o.value ->> '$.created_at'
             FROM json_each(?1) o
             WHERE NOT EXISTS (SELECT 1 FROM operations l WHERE l.tenant_id = ?2 AND l.created_at = o.value ->> '$.created_at' AND l.id = o.value ->> '$.id')
             ON CONFLICT(tenant_id, created_at, id) DO UPDATE SET
               status = excluded.status, body = excluded.body, moment = excluded.moment, version = excluded.version
             WHERE excluded.version > ${table}.version`,
          )
          .bind(chunk, tenantId),
      );
    }
  }
  for (const [generation, inIt] of byGeneration(entries)) {
    const table = recordTable("history", generation);
    statements.push(...notes.make(db, "history", generation));
    for (const chunk of jsonChunks(inIt)) {
      statements.push(
        db
          .prepare(
            `INSERT INTO ${table} (id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at, more_entries)
             SELECT e.value ->> '$.id', ?2, e.value ->> '$.member_id', e.value ->> '$.seq', e.value ->> '$.operation_id', e.value ->> '$.kind',
               e.value ->> '$.method', e.value ->> '$.amount', e.value ->> '$.balance_after', e.value ->> '$.store_id',
               e.value ->> '$.register_id', e.value ->> '$.created_at', e.value ->> '$.more'
             FROM json_each(?1) e
             WHERE NOT EXISTS (SELECT 1 FROM history_entries l WHERE l.tenant_id = ?2 AND l.created_at = e.value ->> '$.created_at'
               AND l.member_id = e.value ->> '$.member_id' AND l.seq = e.value ->> '$.seq')
             ON CONFLICT DO NOTHING`,
          )
          .bind(chunk, tenantId),
      );
    }
  }
  const endpoints = live.map((endpoint) => ({ id: endpoint.id, events: JSON.parse(endpoint.events) as string[] }));
  const logged = eventStatements(db, tenantId, rows.log, events, { livemode: tenant.livemode, endpoints }, notes.generations);
  statements.push(...logged.statements);
  if (statements.length === 0) return;
  const counted = notes.tally.take(rows.operations.length + entries.length + rows.log.length);
  if (counted.count !== null) statements.push(countShardRows(db, counted.count));
  const results = await db.batch(statements).catch((error: unknown) => {
    // A generation dropped since this writer made it: the next try makes it again.
    notes.failed(tableWentAway(error));
    throw error;
  });
  counted.done();
  notes.written(logged.generations);
  if (changedAny(logged.deliveries, statements, results)) await wakeWebhooks(env, tenantId);
}
