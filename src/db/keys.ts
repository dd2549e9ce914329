/** Keys in D1: revoking one, with its audit entry. */

/** Revokes a live key of the tenant and records it, in one batch. False: no such live key (nothing written). */
export async function revokeKey(d1: D1Database, tenantId: string, keyId: string, at: string, audit: D1PreparedStatement): Promise<boolean> {
  const [revoked] = await d1.batch([
    d1.prepare("UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL").bind(at, tenantId, keyId),
    audit,
  ]);
  return (revoked.meta.changes ?? 0) === 1;
}
