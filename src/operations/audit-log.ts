/** The audit log as staff read it: every entry chained before it is listed or verified. */
import type { Env } from "../env";
import { tenantObjectOf } from "../objects";

/** Asks the tenant's sealer to chain what was written since its last seal (idempotent). */
export function sealAuditLog(env: Env, tenantId: string): Promise<number> {
  return tenantObjectOf(env, tenantId).sealAudit(tenantId);
}

/** Chains what is waiting, then walks the chain. */
export function verifyAuditLog(env: Env, tenantId: string) {
  return tenantObjectOf(env, tenantId).verifyAudit(tenantId);
}

/** The tenant's owner accepts a broken chain as it now stands, acknowledging the alert of that break. */
export function acceptAuditBreak(env: Env, tenantId: string, alertId: string) {
  return tenantObjectOf(env, tenantId).acceptAuditBreak(tenantId, alertId);
}
