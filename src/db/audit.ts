/** The audit log: every change a person or key made, with what it was before and after. */
import { database } from "./client";
import { auditLog } from "./schema";
import { newId } from "../lib/ids";

export interface AuditEntry {
  tenantId: string;
  /** The id of the key or person who acted. */
  actor: string;
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
    action: entry.action,
    subjectId: entry.subjectId,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
    createdAt: entry.at ?? new Date().toISOString(),
  };
}

/** Who acted, as the credential says: a key, or a member of staff (their id is the credential id). */
export interface Actor {
  tenantId: string;
  credentialId: string;
}

/** The insert of one audit entry, for the D1 batch of the change it records. */
export function auditInsert(d1: D1Database, actor: Actor, action: string, subjectId: string, change: { before?: unknown; after?: unknown } = {}) {
  return database(d1).insert(auditLog).values(auditRow({ tenantId: actor.tenantId, actor: actor.credentialId, action, subjectId, ...change }));
}

/**
 * The insert of one audit entry that happens only if the statement just before it in the same D1 batch changed a
 * row (SQLite's `changes()`): a conditional change and its entry commit together, or neither does.
 */
export function auditIfChanged(d1: D1Database, actor: Actor, action: string, subjectId: string, change: { before?: unknown; after?: unknown } = {}): D1PreparedStatement {
  const row = auditRow({ tenantId: actor.tenantId, actor: actor.credentialId, action, subjectId, ...change });
  return d1
    .prepare("INSERT INTO audit_log (id, tenant_id, actor, action, subject_id, before, after, created_at) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1")
    .bind(row.id, row.tenantId, row.actor, row.action, row.subjectId, row.before ?? null, row.after ?? null, row.createdAt);
}

/** Writes one audit entry on its own (for a change decided elsewhere, such as a card in its AccountDO). */
export async function recordAudit(d1: D1Database, actor: Actor, action: string, subjectId: string, change: { before?: unknown; after?: unknown } = {}): Promise<void> {
  await auditInsert(d1, actor, action, subjectId, change);
}
