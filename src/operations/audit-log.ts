/** The audit log as staff read it: every entry chained before it is listed or verified. */
import type { Env } from "../env";
import { verifyAuditChain } from "../audit/seal";
import { tenantObjectOf } from "../objects";

/** Asks the tenant's sealer to chain what was written since its last seal (idempotent). */
export function sealAuditLog(env: Env, tenantId: string): Promise<number> {
  return tenantObjectOf(env, tenantId).sealAudit(tenantId);
}

/** Chains what is waiting, then walks the chain. */
export async function verifyAuditLog(env: Env, tenantId: string) {
  await sealAuditLog(env, tenantId);
  return verifyAuditChain(env.DB, tenantId, await tenantObjectOf(env, tenantId).auditHead());
}
