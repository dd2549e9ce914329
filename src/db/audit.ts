/**
 * The audit log: every change a person or key made, with what it was before and after. Entries are written with
 * their change (in its D1 batch where it has one); the tenant's sealer then chains them (audit/audit-chain.ts).
 */
import { and, asc, desc, eq, gt, isNotNull, isNull } from "drizzle-orm";
import type { AuditEntry as ChainEntry, ChainHead, SealedEntry } from "../audit/audit-chain";
import { auditEntry, whoActed, type Actor, type Change } from "../audit/audit-entry";
import { database } from "./client";
import { newestFirst } from "./newest-first";
import { auditLog } from "./schema";
import { newId } from "../lib/ids";

export type { Actor } from "../audit/audit-entry";
export { whoActed } from "../audit/audit-entry";

/** The row to insert (in the same D1 batch as the change, where there is one). */
function auditRow(entry: ChainEntry): typeof auditLog.$inferInsert {
  return {
    id: entry.id,
    tenantId: entry.tenant_id,
    actor: entry.actor,
    actorType: entry.actor_type as (typeof auditLog.$inferInsert)["actorType"],
    action: entry.action,
    subjectId: entry.subject_id,
    before: entry.before,
    after: entry.after,
    createdAt: entry.created_at,
  };
}

const entryOf = (actor: Actor, action: string, subjectId: string, change: Change, id = newId("aud")) =>
  auditEntry(whoActed(actor), id, action, subjectId, change, new Date().toISOString());

/** The insert of one audit entry, for the D1 batch of the change it records. */
export function auditInsert(d1: D1Database, actor: Actor, action: string, subjectId: string, change: Change = {}) {
  return database(d1).insert(auditLog).values(auditRow(entryOf(actor, action, subjectId, change)));
}

/**
 * The insert of one audit entry that happens only if the statement just before it in the same D1 batch changed a
 * row (SQLite's `changes()`): a conditional change and its entry commit together, or neither does.
 */
export function auditIfChanged(d1: D1Database, actor: Actor, action: string, subjectId: string, change: Change = {}): D1PreparedStatement {
  const e = entryOf(actor, action, subjectId, change);
  return d1
    .prepare("INSERT INTO audit_log (id, tenant_id, actor, actor_type, action, subject_id, before, after, created_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1")
    .bind(e.id, e.tenant_id, e.actor, e.actor_type, e.action, e.subject_id, e.before, e.after, e.created_at);
}

/** Writes one audit entry on its own. */
export async function recordAudit(d1: D1Database, actor: Actor, action: string, subjectId: string, change: Change = {}): Promise<void> {
  await auditInsert(d1, actor, action, subjectId, change);
}

/**
 * Writes an entry a Durable Object decided (and put in its outbox too): whichever of the two writes comes first
 * stores it, the other finds its id taken and adds nothing.
 */
export async function recordDecidedAudit(d1: D1Database, entry: ChainEntry): Promise<void> {
  await database(d1).insert(auditLog).values(auditRow(entry)).onConflictDoNothing();
}

export type AuditRow = typeof auditLog.$inferSelect;

const asEntry = (row: AuditRow): ChainEntry => ({
  id: row.id,
  tenant_id: row.tenantId,
  actor: row.actor,
  actor_type: row.actorType,
  action: row.action,
  subject_id: row.subjectId,
  before: row.before,
  after: row.after,
  created_at: row.createdAt,
});

/** The last chained entry of the tenant, with its id. */
export async function chainHead(d1: D1Database, tenantId: string): Promise<(NonNullable<ChainHead> & { id: string }) | null> {
  const row = await database(d1)
    .select({ seq: auditLog.seq, hash: auditLog.hash, id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), isNotNull(auditLog.seq)))
    .orderBy(desc(auditLog.seq))
    .get();
  return row && row.seq !== null && row.hash !== null ? { seq: row.seq, hash: row.hash, id: row.id } : null;
}

/** Entries written but not chained yet, oldest first. */
export async function unsealedEntries(d1: D1Database, tenantId: string, limit: number): Promise<ChainEntry[]> {
  const rows = await database(d1)
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), isNull(auditLog.seq)))
    .orderBy(asc(auditLog.createdAt), asc(auditLog.id))
    .limit(limit);
  return rows.map(asEntry);
}

/**
 * Writes the entries' places and hashes in one batch. Each update needs the entry still unchained, and the unique
 * (tenant, seq) index refuses a place taken twice: a batch that lost a race fails whole and changes nothing.
 */
export async function writeSeals(d1: D1Database, sealed: SealedEntry[]): Promise<void> {
  if (sealed.length === 0) return;
  const statements = sealed.map((entry) =>
    d1.prepare("UPDATE audit_log SET seq = ?, prev_hash = ?, hash = ? WHERE tenant_id = ? AND id = ? AND seq IS NULL").bind(entry.seq, entry.prev_hash, entry.hash, entry.tenant_id, entry.id),
  );
  const results = await d1.batch(statements);
  if (results.some((result) => (result.meta.changes ?? 0) !== 1)) throw new Error("an audit entry was chained by someone else meanwhile");
}

/** Chained entries after a place, in chain order (what verification walks). */
export async function chainedAfter(d1: D1Database, tenantId: string, seq: number, limit: number): Promise<SealedEntry[]> {
  const rows = await database(d1)
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), isNotNull(auditLog.seq), gt(auditLog.seq, seq)))
    .orderBy(asc(auditLog.seq))
    .limit(limit);
  return rows.map((row) => ({ ...asEntry(row), seq: row.seq!, prev_hash: row.prevHash, hash: row.hash ?? "" }));
}

export async function countAuditEntries(d1: D1Database, tenantId: string): Promise<number> {
  return (await d1.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE tenant_id = ?").bind(tenantId).first<number>("n")) ?? 0;
}

/** An audit entry's insert, to go in the batch of the change it records. */
export type AuditWrite = ReturnType<typeof auditInsert>;

/** An audit entry as the API shows it, with its place in the hash chain. */
export const presentAudit = (row: AuditRow) => ({
  id: row.id,
  actor: row.actor,
  actor_type: row.actorType,
  action: row.action,
  subject_id: row.subjectId,
  before: row.before ? JSON.parse(row.before) : null,
  after: row.after ? JSON.parse(row.after) : null,
  created_at: row.createdAt,
  seq: row.seq,
  hash: row.hash,
  prev_hash: row.prevHash,
});

/** A page of the tenant's audit log, newest first: as stored (the console words it), or as the API shows it. */
export function auditPage(d1: D1Database, tenantId: string, page: { cursor?: string; limit: number }) {
  return newestFirst(d1, auditLog, tenantId, page, (row) => row);
}

export function presentedAuditPage(d1: D1Database, tenantId: string, page: { cursor?: string; limit: number }) {
  return newestFirst(d1, auditLog, tenantId, page, presentAudit);
}
