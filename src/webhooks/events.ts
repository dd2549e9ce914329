/**
 * Events for webhook endpoints (`alert.raised`, `operation.confirmed`), written to D1 by the object that decided
 * them: the alert record itself, and one delivery row per subscribed endpoint, both keyed so a retry adds nothing.
 * Then the tenant's WebhookDO is told there is work.
 */
import type { Env } from "../env";
import type { Alert } from "../limits/limit";

export interface TillsafeEvent {
  id: string;
  type: "alert.raised" | "operation.confirmed";
  created_at: string;
  data: object;
}

export const alertEvent = (alert: Alert): TillsafeEvent => ({ id: `evt_${alert.id.slice(4)}`, type: "alert.raised", created_at: alert.created_at, data: { alert } });

export async function shipEvents(env: Env, tenantId: string, alerts: Alert[], events: TillsafeEvent[]): Promise<void> {
  const all = [...alerts.map(alertEvent), ...events];
  if (all.length === 0) return;
  const statements: D1PreparedStatement[] = [];
  for (const alert of alerts) {
    statements.push(
      env.DB.prepare(
        `INSERT INTO alerts (id, tenant_id, type, limit_id, scope, scope_id, metric, period, bound, value, operation_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
      ).bind(
        alert.id,
        tenantId,
        alert.type,
        alert.limit_id,
        alert.scope,
        alert.scope_id,
        alert.metric,
        alert.period,
        alert.bound,
        alert.value,
        alert.operation_id,
        alert.created_at,
      ),
    );
  }
  const now = Date.now();
  for (const event of all) {
    statements.push(
      env.DB.prepare(
        `INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, type, payload, attempts, next_attempt_at, created_at)
         SELECT ?1, e.id, e.tenant_id, ?2, ?3, 0, ?4, ?5 FROM webhook_endpoints e, json_each(e.events) j
         WHERE e.tenant_id = ?6 AND e.deleted_at IS NULL AND j.value = ?2
         ON CONFLICT(event_id, endpoint_id) DO NOTHING`,
      ).bind(event.id, event.type, JSON.stringify(event), now, new Date(now).toISOString(), tenantId),
    );
  }
  const results = await env.DB.batch(statements);
  const queued = results.slice(alerts.length).some((result) => (result.meta?.changes ?? 0) > 0);
  if (queued) await env.WEBHOOKS.get(env.WEBHOOKS.idFromName(tenantId)).kick(tenantId);
}
