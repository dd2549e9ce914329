/** Webhook endpoints in D1: the live ones, and stopping one with its audit entry. */
import type { AuditWrite } from "./audit";
import { and, desc, eq, isNull } from "drizzle-orm";
import { database, type BatchWrite } from "./client";
import { webhookEndpoints } from "./schema";
import { acrossShards, type TenantShards } from "../shards/tenant-shards";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export const presentEndpoint = (row: EndpointRow) => ({ id: row.id, url: row.url, events: JSON.parse(row.events) as string[], created_at: row.createdAt });

/** The tenant's endpoints still sent to, newest first. */
export async function liveWebhookEndpoints(d1: D1Database, tenantId: string): Promise<EndpointRow[]> {
  return database(d1)
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), isNull(webhookEndpoints.deletedAt)))
    .orderBy(desc(webhookEndpoints.createdAt));
}

/** One live endpoint of the tenant, or null. */
export async function liveWebhookEndpoint(d1: D1Database, tenantId: string, endpointId: string): Promise<EndpointRow | null> {
  return (
    (await database(d1)
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, endpointId), isNull(webhookEndpoints.deletedAt)))
      .get()) ?? null
  );
}

/** Marks a live endpoint deleted and records it, in one batch. False: no such live endpoint (nothing written). */
export async function deleteWebhookEndpoint(d1: D1Database, tenantId: string, endpointId: string, at: string, audit: D1PreparedStatement): Promise<boolean> {
  const [deleted] = await d1.batch([
    d1.prepare("UPDATE webhook_endpoints SET deleted_at = ? WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL").bind(at, tenantId, endpointId),
    audit,
  ]);
  return (deleted.meta.changes ?? 0) === 1;
}

type Attempt = { event_id: string; attempt: number; status_code: number | null; error: string | null; at: string; next_attempt_at: string | null };

/** An endpoint's delivery attempts, newest first, from each of the tenant's shards. */
export async function attemptsOf(shards: TenantShards, endpointId: string, limit: number): Promise<Attempt[]> {
  const pages = await acrossShards(shards, async (d1) => {
    const rows = await d1
      .prepare("SELECT event_id, attempt, status_code, error, at, next_attempt_at FROM webhook_attempts WHERE tenant_id = ? AND endpoint_id = ? ORDER BY at DESC, attempt DESC LIMIT ?")
      .bind(shards.tenantId, endpointId, limit)
      .all<Attempt>();
    return rows.results;
  });
  return pages
    .flat()
    .sort((a, b) => (a.at === b.at ? b.attempt - a.attempt : a.at < b.at ? 1 : -1))
    .slice(0, limit);
}

/**
 * A new secret for a live endpoint, the current one kept as the previous until `until`; with its audit entry. Not
 * while an earlier rotation's previous secret still signs (`now`): that secret would stop at once. False: nothing
 * changed.
 */
export async function rotateSecret(
  d1: D1Database,
  tenantId: string,
  endpointId: string,
  sealed: string,
  until: number,
  now: number,
  audit: D1PreparedStatement,
  answer: { fence: D1PreparedStatement[]; answer: D1PreparedStatement[] } = { fence: [], answer: [] },
): Promise<boolean> {
  const results = await d1.batch([
    ...answer.fence,
    d1
      .prepare(
        `UPDATE webhook_endpoints SET previous_sealed_secret = sealed_secret, previous_valid_until = ?, sealed_secret = ?
         WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL AND (previous_valid_until IS NULL OR previous_valid_until <= ?)`,
      )
      .bind(until, sealed, tenantId, endpointId, now),
    audit,
    ...answer.answer,
  ]);
  return (results[answer.fence.length].meta.changes ?? 0) === 1;
}

/** A webhook endpoint added, with the audit entry of its making. */
export async function addWebhookEndpoint(d1: D1Database, row: typeof webhookEndpoints.$inferInsert, audit: AuditWrite, answer: BatchWrite[] = []): Promise<void> {
  const db = database(d1);
  await db.batch([db.insert(webhookEndpoints).values(row), audit, ...answer]);
}
