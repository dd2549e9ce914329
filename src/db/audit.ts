/** The audit log: every change a person or key made, with what it was before and after. */
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
export function auditRow(entry: AuditEntry): typeof auditLog.$inferInsert {
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
