/**
 * The audit log: every change a person or key made, with what it was before and after. Entries are written with
 * their change (in its D1 batch where it has one); the tenant's sealer then chains them (audit/audit-chain.ts).
 */
import { and, asc, desc, eq, gt, isNotNull, isNull } from "drizzle-orm";
import type { AuditEntry as ChainEntry, ChainHead, SealedEntry } from "../audit/audit-chain";
import { database } from "./client";
import { auditLog } from "./schema";
import { newId } from "../lib/ids";

type ActorType = (typeof auditLog.$inferSelect)["actorType"];

interface AuditEntry {
  tenantId: string;
  /** The id of the key or person who acted. */
  actor: string;
  actorType: ActorType;
  action: string;
  subjectId: string;
  before?: unknown;
  after?: unknown;
  at?: string;
}

/** The row to insert (in the same D1 batch as the change, where there is one). */
function auditRow(entry: AuditEntry): typeof auditLog.$inferInsert {
  return {
    id: newId("aud"),
    tenantId: entry.tenantId,
    actor: entry.actor,
    actorType: entry.actorType,
    action: entry.action,
    subjectId: entry.subjectId,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
    createdAt: entry.at ?? new Date().toISOString(),
  };
}

/** Who acted, as the credential says: a key, a member of staff (a console session), or a member. */
export type Actor =
  | { kind: "secret"; tenantId: string; credentialId: string; staff?: { id: string } }
  | { kind: "terminal"; tenantId: string; credentialId: string }
  | { kind: "member"; tenantId: string; memberId: string }
  | { kind: "staff"; tenantId: string; staffId: string };

export function whoActed(actor: Actor): { tenantId: string; actor: string; actorType: ActorType } {
  switch (actor.kind) {
    case "secret":
      return actor.staff ? { tenantId: actor.tenantId, actor: actor.staff.id, actorType: "staff" } : { tenantId: actor.tenantId, actor: actor.credentialId, actorType: "secret_key" };
    case "terminal":
      return { tenantId: actor.tenantId, actor: actor.credentialId, actorType: "terminal_key" };
    case "member":
      return { tenantId: actor.tenantId, actor: actor.memberId, actorType: "member" };
    case "staff":
      return { tenantId: actor.tenantId, actor: actor.staffId, actorType: "staff" };
  }
}

/** The insert of one audit entry, for the D1 batch of the change it records. */
export function auditInsert(d1: D1Database, actor: Actor, action: string, subjectId: string, change: { before?: unknown; after?: unknown } = {}) {
  return database(d1).insert(auditLog).values(auditRow({ ...whoActed(actor), action, subjectId, ...change }));
}

/**
 * The insert of one audit entry that happens only if the statement just before it in the same D1 batch changed a
 * row (SQLite's `changes()`): a conditional change and its entry commit together, or neither does.
 */
export function auditIfChanged(d1: D1Database, actor: Actor, action: string, subjectId: string, change: { before?: unknown; after?: unknown } = {}): D1PreparedStatement {
  const row = auditRow({ ...whoActed(actor), action, subjectId, ...change });
  return d1
    .prepare("INSERT INTO audit_log (id, tenant_id, actor, actor_type, action, subject_id, before, after, created_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1")
    .bind(row.id, row.tenantId, row.actor, row.actorType, row.action, row.subjectId, row.before ?? null, row.after ?? null, row.createdAt);
}

/** Writes one audit entry on its own (for a change decided elsewhere, such as a card in its AccountDO). */
export async function recordAudit(d1: D1Database, actor: Actor, action: string, subjectId: string, change: { before?: unknown; after?: unknown } = {}): Promise<void> {
  await auditInsert(d1, actor, action, subjectId, change);
}

/** Writes an entry once under an id of the caller's (a retried confirm records its change once). */
export async function recordAuditOnce(d1: D1Database, id: string, actor: Actor, action: string, subjectId: string, change: { before?: unknown; after?: unknown } = {}): Promise<void> {
  await database(d1)
    .insert(auditLog)
    .values({ ...auditRow({ ...whoActed(actor), action, subjectId, ...change }), id })
    .onConflictDoNothing();
}

type AuditRow = typeof auditLog.$inferSelect;

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

/** The last chained entry of the tenant. */
export async function chainHead(d1: D1Database, tenantId: string): Promise<ChainHead> {
  const row = await database(d1)
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), isNotNull(auditLog.seq)))
    .orderBy(desc(auditLog.seq))
    .get();
  return row && row.seq !== null && row.hash !== null ? { seq: row.seq, hash: row.hash } : null;
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
