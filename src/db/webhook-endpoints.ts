/** Webhook endpoints in D1: stopping one, with its audit entry. */

/** Marks a live endpoint deleted and records it, in one batch. False: no such live endpoint (nothing written). */
export async function deleteWebhookEndpoint(d1: D1Database, tenantId: string, endpointId: string, at: string, audit: D1PreparedStatement): Promise<boolean> {
  const [deleted] = await d1.batch([
    d1.prepare("UPDATE webhook_endpoints SET deleted_at = ? WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL").bind(at, tenantId, endpointId),
    audit,
  ]);
  return (deleted.meta.changes ?? 0) === 1;
}
