/**
 * Events for webhook endpoints (`alert.raised`, `operation.confirmed`), written to D1 by the object that decided
 * them, in the same batch as the rest of its outbox on its shard: the event in the log and one delivery row per
 * subscribed endpoint, both keyed so a retry adds nothing (an alert's own record goes to the directory). When
 * deliveries were queued, the tenant's WebhookDO is told.
 */
import { alertEventId } from "../lib/ids";
import type { Env } from "../env";
import type { Alert } from "../limits/limit";
import { jsonChunks } from "../lib/json-chunks";
import { byGeneration, makeGeneration, tableOf } from "../db/event-generations";
import { announceToConsoles } from "../operations/console-live";
import { wholeEvent, type LoggedEvent } from "../history/operation-moments";
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

/** What a shard's batch needs to know of the tenant, from the directory: test or live, and who wants which events. */
export interface EventAudience {
  livemode: boolean;
  /** The tenant's webhook endpoints (not deleted) and the event types each takes. */
  endpoints: { id: string; events: string[] }[];
}

/** Statements recording alerts in the directory (DB), keyed by their ids. */
export function alertStatements(db: D1Database, tenantId: string, alerts: Alert[]) {
  return jsonChunks(alerts).map((chunk) =>
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
}

/**
 * Statements logging events on a shard (`log`: their rows as src/history/operation-moments.ts makes them) and
 * queueing a delivery of each event of the batch (`events`, whole) per subscribed endpoint; `deliveries` marks which
 * statements queue, `generations` the log's tables they write (those in `made` are not made again).
 */
export function eventStatements(db: D1Database, tenantId: string, log: LoggedEvent[], events: TillsafeEvent[], audience: EventAudience, made: ReadonlySet<number> = new Set()) {
  const now = Date.now();
  const generations = byGeneration(log);
  // A generation's table is made by the first batch that logs into it (a writer remembers which it made).
  const logged = [...generations].flatMap(([generation, inIt]) => [
    ...(made.has(generation) ? [] : [makeGeneration(db, generation)]),
    ...jsonChunks(inIt).map((chunk) =>
      db
        .prepare(
          `INSERT INTO ${tableOf(generation)} (id, tenant_id, type, created_at, payload)
           SELECT ev.value ->> '$.id', ?2, ev.value ->> '$.type', ev.value ->> '$.created_at', ev.value ->> '$.payload'
           FROM json_each(?1) ev WHERE true
           ON CONFLICT DO NOTHING`,
        )
        .bind(chunk, tenantId),
    ),
  ]);
  const endpoints = JSON.stringify(audience.endpoints);
  const deliveries =
    audience.endpoints.length === 0
      ? []
      : jsonChunks(events.map((event) => ({ id: event.id, type: event.type, payload: JSON.stringify(wholeEvent(event, audience.livemode)) }))).map((chunk) =>
          db
            .prepare(
              `INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, type, payload, attempts, next_attempt_at, created_at)
               SELECT ev.value ->> '$.id', e.value ->> '$.id', ?4, ev.value ->> '$.type', ev.value ->> '$.payload', 0, ?2, ?3
               FROM json_each(?5) e, json_each(e.value, '$.events') j, json_each(?1) ev
               WHERE j.value = ev.value ->> '$.type'
               ON CONFLICT(event_id, endpoint_id) DO NOTHING`,
            )
            .bind(chunk, now, new Date(now).toISOString(), tenantId, endpoints),
        );
  return { statements: [...logged, ...deliveries], deliveries: new Set(deliveries), generations: [...generations.keys()] };
}

/** Whether any of `marked` changed a row in a batch that ran `statements` and answered `results`. */
export const changedAny = (marked: Set<D1PreparedStatement>, statements: D1PreparedStatement[], results: D1Result[]) =>
  statements.some((statement, i) => marked.has(statement) && (results[i]?.meta?.changes ?? 0) > 0);

/** New alerts shown on the open consoles (a retried batch that added nothing shows nothing again). */
export const announceAlerts = (env: Env, tenantId: string, alerts: Alert[]) =>
  announceToConsoles(env, tenantId, { type: "alerts", alerts: alerts.map((alert) => ({ ...asRaised(alert), status: "open" })) });

/** Wakes the tenant's webhook sender: deliveries were queued on a shard. */
export const wakeWebhooks = (env: Env, tenantId: string) => webhooksOf(env, tenantId).kick(tenantId);
