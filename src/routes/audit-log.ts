/** The audit log: every change a person or key made, newest first, and the check of its hash chain. */
import { auditLog } from "../db/schema";
import { newestFirst } from "../db/newest-first";
import { pageQuery } from "../lib/schemas";
import { sealAuditLog, verifyAuditLog } from "../operations/audit-log";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";

type AuditRow = typeof auditLog.$inferSelect;
const presentAudit = (row: AuditRow) => ({
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

export function auditLogRoutes(app: App): void {
  endpoint(
    app,
    { method: "get", path: "/v1/audit-log", response: R.listOf(R.AuditEntry), summary: "Every change a person or key made: who, what, before, after; newest first, hash-chained", tag: "Limits and alerts", auth: ["secret"], query: pageQuery },
    async ({ env, principal, query }) => {
      // Chained first, so every entry listed carries its hash (a sealer that cannot answer leaves them null).
      await sealAuditLog(env, principal.tenantId).catch((error) => console.warn("audit seal failed:", String(error)));
      return { status: 200, body: await newestFirst(env.DB, auditLog, principal.tenantId, query, presentAudit) };
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/audit-log/verify", response: R.ChainVerified, summary: "Walk the audit log's hash chain: valid, or the first entry that does not hold", tag: "Limits and alerts", auth: ["secret"] },
    async ({ env, principal }) => ({ status: 200, body: await verifyAuditLog(env, principal.tenantId) }),
  );
}
