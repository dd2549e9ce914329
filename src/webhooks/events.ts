/**
 * Events for webhook endpoints (`alert.raised`, `operation.confirmed`), written to D1 by the object that decided
 * them, in the same batch as the rest of its outbox: the alert record itself, and one delivery row per subscribed
 * endpoint, both keyed so a retry adds nothing. When deliveries were queued, the tenant's WebhookDO is told.
 */
import type { Env } from "../env";
import type { Alert } from "../limits/limit";
import { jsonChunks } from "../lib/json-chunks";

export interface TillsafeEvent {
  id: string;
  type: "alert.raised" | "operation.confirmed";
  created_at: string;
  data: object;
}

export const alertEvent = (alert: Alert): TillsafeEvent => ({ id: `evt_${alert.id.slice(4)}`, type: "alert.raised", created_at: alert.created_at, data: { alert } });

/** Statements that record the alerts and queue deliveries of every event; `deliveries` marks which ones queue. */
export function eventStatements(db: D1Database, tenantId: string, alerts: Alert[], events: TillsafeEvent[]) {
  // Alerts and events travel as JSON arrays, one statement per array however many there are.
  const statements = jsonChunks(alerts).map((chunk) =>
    db
      .prepare(
        `INSERT INTO alerts (id, tenant_id, type, limit_id, scope, scope_id, metric, period, bound, value, operation_id, created_at)
         SELECT a.value ->> '$.id', ?2, a.value ->> '$.type', a.value ->> '$.limit_id', a.value ->> '$.scope', a.value ->> '$.scope_id',
           a.value ->> '$.metric', a.value ->> '$.period', a.value ->> '$.bound', a.value ->> '$.value', a.value ->> '$.operation_id',
           a.value ->> '$.created_at'
         FROM json_each(?1) a WHERE true
         ON CONFLICT(id) DO NOTHING`,
      )
      .bind(chunk, tenantId),
  );
  const now = Date.now();
  // Each event is queued for every endpoint of the tenant subscribed to its type (none when the tenant has no
  // endpoint); each delivery keeps its event's text.
  const deliveries = jsonChunks([...alerts.map(alertEvent), ...events]).map((chunk) =>
    db
      .prepare(
        `INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, type, payload, attempts, next_attempt_at, created_at)
         SELECT ev.value ->> '$.id', e.id, e.tenant_id, ev.value ->> '$.type', ev.value, 0, ?2, ?3
         FROM webhook_endpoints e, json_each(e.events) j, json_each(?1) ev
         WHERE e.tenant_id = ?4 AND e.deleted_at IS NULL AND j.value = ev.value ->> '$.type'
         ON CONFLICT(event_id, endpoint_id) DO NOTHING`,
      )
      .bind(chunk, now, new Date(now).toISOString(), tenantId),
  );
  return { statements: [...statements, ...deliveries], deliveries: new Set(deliveries) };
}

/** After the batch: wake the tenant's webhook sender if any delivery was queued. */
export async function kickIfQueued(env: Env, tenantId: string, statements: D1PreparedStatement[], results: D1Result[], deliveries: Set<D1PreparedStatement>) {
  const queued = statements.some((statement, i) => deliveries.has(statement) && (results[i]?.meta?.changes ?? 0) > 0);
  if (queued) await env.WEBHOOKS.get(env.WEBHOOKS.idFromName(tenantId)).kick(tenantId);
}

export async function shipEvents(env: Env, tenantId: string, alerts: Alert[], events: TillsafeEvent[]): Promise<void> {
  const { statements, deliveries } = eventStatements(env.DB, tenantId, alerts, events);
  if (statements.length === 0) return;
  await kickIfQueued(env, tenantId, statements, await env.DB.batch(statements), deliveries);
}
