/** The event log (the last 30 days, as sent to webhooks) and sending one event again to an endpoint. */
import { z } from "zod";
import { eventsPage, queueAgain } from "../db/events";
import { tenantShards } from "../shards/tenant-shards";
import { liveWebhookEndpoint } from "../db/webhook-endpoints";
import { notFound } from "../lib/errors";
import { pageQuery } from "../lib/schemas";
import { MAX_ATTEMPTS } from "../webhooks/webhook-do";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";
import { webhooksOf } from "../objects";

export const EventQuery = pageQuery.extend({
  type: z.enum(R.EVENT_TYPES).optional(),
  created_after: z.iso.datetime({ offset: true }).optional(),
});

export const Redeliver = z.strictObject({ endpoint_id: z.string().min(1).max(64) });

export function eventRoutes(app: App): void {
  endpoint(
    app,
    { method: "get", errors: ["shard_unavailable"], path: "/v1/events", response: R.listOf(R.Event), summary: "Every event of the last 30 days, newest first, as delivered to webhooks", tag: "Limits and alerts", auth: ["secret"], query: EventQuery },
    async ({ env, principal, query }) => {
      const page = await eventsPage(await tenantShards(env, principal.tenantId), { ...query, created_after: query.created_after ? new Date(query.created_after).toISOString() : undefined });
      return { status: 200, body: page };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/events/:id/redeliver", errors: ["shard_unavailable", "event_not_found", "webhook_endpoint_not_found"], response: R.Redelivery, summary: "Send an event to an endpoint again, now", tag: "Limits and alerts", auth: ["secret"], body: Redeliver, status: 202 },
    async ({ env, principal, param, body }) => {
      if (!(await liveWebhookEndpoint(env.DB, principal.tenantId, body.endpoint_id))) throw notFound("webhook_endpoint_not_found", "Webhook endpoint");
      if (!(await queueAgain(await tenantShards(env, principal.tenantId), param("id"), body.endpoint_id, MAX_ATTEMPTS))) throw notFound("event_not_found", "Event");
      await webhooksOf(env, principal.tenantId).kick(principal.tenantId);
      return { status: 202, body: { event_id: param("id"), endpoint_id: body.endpoint_id, queued: true } };
    },
  );
}
