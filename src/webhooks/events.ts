/**
 * Events for webhook endpoints (`alert.raised`, `operation.confirmed`), written to D1 by the object that decided
 * them, in the same batch as the rest of its outbox: the alert record itself, and one delivery row per subscribed
 * endpoint, both keyed so a retry adds nothing. When deliveries were queued, the tenant's WebhookDO is told.
 */
import { alertEventId } from "../lib/ids";
import type { Env } from "../env";
import type { Alert } from "../limits/limit";
import { jsonChunks } from "../lib/json-chunks";
import { generationOf, makeGeneration, tableOf } from "../db/event-generations";
import { announceToConsoles } from "../operations/console-live";
import { webhooksOf } from "../objects";

export interface TillsafeEvent {
  id: string;
  type: string;
  created_at: string;
  data: object;
}

/** An alert as raised, as the API answers it: no limit or operation is `null` (the record keeps ""). */
const asRaised = (alert: Alert) => ({ ...alert, limit_id: alert.limit_id || null, operation_id: alert.operation_id || null });

export const alertEvent = (alert: Alert): TillsafeEvent => ({ id: alertEventId(alert.id), type: "alert.raised", created_at: alert.created_at, data: { alert: asRaised(alert) } });

/** The tenant's (`?2`) `livemode` as JSON, in SQL (a missing tenant reads as live). */
const LIVEMODE = "json(iif(coalesce((SELECT livemode FROM tenants WHERE id = ?2), 1), 'true', 'false'))";
/** The key of the one object an event's `data` holds (`operation`, `card`, `alert`, `approval_request`). */
const DATA_KEY = "(SELECT key FROM json_each(ev.value, '$.data') LIMIT 1)";
/** An event's JSON (`ev.value`) with the tenant's `livemode` on the event and on the object it is about, as SQL. */
const WITH_LIVEMODE = `iif(${DATA_KEY} IS NULL, json_set(ev.value, '$.livemode', ${LIVEMODE}),
  json_set(ev.value, '$.livemode', ${LIVEMODE}, '$.data.' || ${DATA_KEY} || '.livemode', ${LIVEMODE}))`;

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
  // Every event goes into the tenant's event log (GET /v1/events, redelivery), keyed by its id, with whether the
  // tenant is live (its payload is what webhooks receive), in the table of its time's generation.
  const all = [...alerts.map(alertEvent), ...events];
  const byGeneration = new Map<number, TillsafeEvent[]>();
  for (const event of all) {
    const generation = generationOf(event.created_at);
    const inIt = byGeneration.get(generation);
    if (inIt) inIt.push(event);
    else byGeneration.set(generation, [event]);
  }
  const logged = [...byGeneration].flatMap(([generation, inIt]) => [
    makeGeneration(db, generation),
    ...jsonChunks(inIt).map((chunk) =>
      db
        .prepare(
          `INSERT INTO ${tableOf(generation)} (id, tenant_id, type, created_at, payload)
           SELECT ev.value ->> '$.id', ?2, ev.value ->> '$.type', ev.value ->> '$.created_at', ${WITH_LIVEMODE}
           FROM json_each(?1) ev WHERE true
           ON CONFLICT DO NOTHING`,
        )
        .bind(chunk, tenantId),
    ),
  ]);
  // Each event is queued for every endpoint of the tenant subscribed to its type (none when the tenant has no
  // endpoint); each delivery keeps its event's text.
  const deliveries = jsonChunks(all).map((chunk) =>
    db
      .prepare(
        `INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, type, payload, attempts, next_attempt_at, created_at)
         SELECT ev.value ->> '$.id', e.id, e.tenant_id, ev.value ->> '$.type', ${WITH_LIVEMODE.replaceAll("?2", "?4")}, 0, ?2, ?3
         FROM webhook_endpoints e, json_each(e.events) j, json_each(?1) ev
         WHERE e.tenant_id = ?4 AND e.deleted_at IS NULL AND j.value = ev.value ->> '$.type'
         ON CONFLICT(event_id, endpoint_id) DO NOTHING`,
      )
      .bind(chunk, now, new Date(now).toISOString(), tenantId),
  );
  return { statements: [...statements, ...logged, ...deliveries], deliveries: new Set(deliveries), alertInserts: new Set(statements), alerts };
}

export type EventStatements = ReturnType<typeof eventStatements>;

/**
 * After the batch: wake the tenant's webhook sender if any delivery was queued, and show new alerts on the open
 * consoles (a retried batch that added nothing shows nothing again).
 */
export async function afterEvents(env: Env, tenantId: string, statements: D1PreparedStatement[], results: D1Result[], queued: EventStatements) {
  const changed = (set: Set<D1PreparedStatement>) => statements.some((statement, i) => set.has(statement) && (results[i]?.meta?.changes ?? 0) > 0);
  const tasks: Promise<unknown>[] = [];
  if (changed(queued.deliveries)) tasks.push(webhooksOf(env, tenantId).kick(tenantId));
  if (changed(queued.alertInserts)) tasks.push(announceToConsoles(env, tenantId, { type: "alerts", alerts: queued.alerts.map((alert) => ({ ...asRaised(alert), status: "open" })) }));
  await Promise.all(tasks);
}
