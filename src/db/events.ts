/** The tenant's event log in D1: listing, queueing one event again for an endpoint, and forgetting it after 30 days. */
import { eq, gt, gte } from "drizzle-orm";
import { newestFirst } from "./newest-first";
import { events } from "./schema";

/** Events are kept (and listed) for 30 days. */
export const EVENT_DAYS = 30;

/** One page of the tenant's events of the last 30 days, newest first (the shared keyset pagination). */
export function eventsPage(d1: D1Database, tenantId: string, query: { type?: string; created_after?: string; limit: number; cursor?: string }, now = Date.now()) {
  const oldest = new Date(now - EVENT_DAYS * 86_400_000).toISOString();
  const after = query.created_after && query.created_after > oldest ? query.created_after : oldest;
  return newestFirst(d1, events, tenantId, query, (row) => ({ livemode: true, ...(JSON.parse(row.payload) as object) }), [
    query.created_after ? gt(events.createdAt, after) : gte(events.createdAt, after),
    query.type ? eq(events.type, query.type) : undefined,
  ]);
}

/**
 * Queues an event for an endpoint to be sent now: a delivery given up or delivered is opened again with one more
 * try; one never made is made from the event log. False: no such event of the tenant in the last 30 days.
 */
export async function queueAgain(d1: D1Database, tenantId: string, eventId: string, endpointId: string, maxAttempts: number, now = Date.now()): Promise<boolean> {
  const [inserted] = await d1.batch([
    d1
      .prepare(
        `INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, type, payload, attempts, next_attempt_at, created_at)
         SELECT id, ?3, tenant_id, type, payload, 0, ?4, ?5 FROM events WHERE tenant_id = ?1 AND id = ?2 AND created_at >= ?7
         ON CONFLICT(event_id, endpoint_id) DO UPDATE SET delivered_at = NULL, next_attempt_at = ?4, attempts = MIN(attempts, ?6)`,
      )
      .bind(tenantId, eventId, endpointId, now, new Date(now).toISOString(), maxAttempts - 1, new Date(now - EVENT_DAYS * 86_400_000).toISOString()),
  ]);
  return (inserted.meta.changes ?? 0) > 0;
}

/** At most this many rows of each table go in one clean-up, so it stays a small write however much piled up. */
const FORGET_BATCH = 500;

/** How long the SMS of a test tenant (and of development) stay in GET /v1/test/sms. */
export const TEST_SMS_DAYS = 7;

/**
 * Drops what is older than 30 days: events, delivery attempts, and deliveries delivered or given up (`maxAttempts`
 * made) — one sent again lately is still being tried, and stays; and test SMS older than 7 days. One batch; run
 * again, it drops the next rows or nothing. Each table has an index by tenant and time for it (migrations 0012, 0015; the event log is keyed so, 0017).
 */
export async function forgetOldLogs(d1: D1Database, tenantId: string, maxAttempts: number, now = Date.now()): Promise<void> {
  const before = new Date(now - EVENT_DAYS * 86_400_000).toISOString();
  const smsBefore = new Date(now - TEST_SMS_DAYS * 86_400_000).toISOString();
  await d1.batch([
    d1.prepare("DELETE FROM webhook_attempts WHERE rowid IN (SELECT rowid FROM webhook_attempts WHERE tenant_id = ?1 AND at < ?2 LIMIT ?3)").bind(tenantId, before, FORGET_BATCH),
    d1
      .prepare(
        `DELETE FROM webhook_deliveries WHERE rowid IN (SELECT rowid FROM webhook_deliveries
           WHERE tenant_id = ?1 AND created_at < ?2 AND (delivered_at IS NOT NULL OR attempts >= ?4) LIMIT ?3)`,
      )
      .bind(tenantId, before, FORGET_BATCH, maxAttempts),
    d1
      .prepare("DELETE FROM events WHERE (tenant_id, created_at, id) IN (SELECT tenant_id, created_at, id FROM events WHERE tenant_id = ?1 AND created_at < ?2 LIMIT ?3)")
      .bind(tenantId, before, FORGET_BATCH),
    d1.prepare("DELETE FROM dev_sms WHERE rowid IN (SELECT rowid FROM dev_sms WHERE tenant_id = ?1 AND created_at < ?2 LIMIT ?3)").bind(tenantId, smsBefore, FORGET_BATCH),
  ]);
}
