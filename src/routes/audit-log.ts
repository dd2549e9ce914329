/** The audit log: every change a person or key made, newest first, and the check of its hash chain. */
import { presentedAuditPage } from "../db/audit";
import { pageQuery } from "../lib/schemas";
import { sealAuditLog, verifyAuditLog } from "../operations/audit-log";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";

export function auditLogRoutes(app: App): void {
  endpoint(
    app,
    { method: "get", path: "/v1/audit-log", response: R.listOf(R.AuditEntry), summary: "Every change a person or key made: who, what, before, after; newest first, hash-chained", tag: "Limits and alerts", auth: ["secret"], query: pageQuery },
    async ({ env, principal, query }) => {
      // Chained first, so every entry listed carries its hash (a sealer that cannot answer leaves them null).
      await sealAuditLog(env, principal.tenantId).catch((error) => console.warn("audit seal failed:", String(error)));
      return { status: 200, body: await presentedAuditPage(env.DB, principal.tenantId, query) };
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/audit-log/verify", response: R.ChainVerified, summary: "Walk the audit log's hash chain: valid, or the first entry that does not hold", tag: "Limits and alerts", auth: ["secret"] },
    async ({ env, principal }) => ({ status: 200, body: await verifyAuditLog(env, principal.tenantId) }),
  );
}
