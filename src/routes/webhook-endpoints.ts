/** Webhook endpoints: where the tenant's events are sent, signed; the secret is shown once. */
import { z } from "zod";
import { auditIfChanged, auditInsert } from "../db/audit";
import { addWebhookEndpoint, attemptsOf, deleteWebhookEndpoint, liveWebhookEndpoint, liveWebhookEndpoints, presentEndpoint, rotateSecret } from "../db/webhook-endpoints";
import { ApiError, invalidRequest, notFound } from "../lib/errors";
import { seal } from "../lib/crypto";
import { newId } from "../lib/ids";
import { serverSecret } from "../lib/server-secret";
import { refusedDestination } from "../webhooks/destination";
import { newEndpointSecret } from "../webhooks/signing";
import { endpoint, type App } from "./endpoint";
import { tenantShards } from "../shards/tenant-shards";
import * as R from "./responses";
import * as EX from "./examples";

/** How long the secret before a rotation still signs. */
const PREVIOUS_SECRET_MS = 24 * 60 * 60 * 1000;

export const CreateWebhookEndpoint = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).max(2000),
    events: z.array(z.enum(R.EVENT_TYPES)).min(1).max(R.EVENT_TYPES.length),
  })
  .meta({ examples: [EX.createWebhookEndpoint] });

export function webhookEndpointRoutes(app: App): void {
  endpoint(
    app,
    {
      method: "post",
      path: "/v1/webhook-endpoints", response: R.WebhookEndpointMade,
      summary: "Receive events as signed POSTs (Standard Webhooks headers and Tillsafe-Signature); the secret is shown once",
      tag: "Limits and alerts",
      auth: ["secret"],
      body: CreateWebhookEndpoint,
    },
    async ({ env, principal, body, keyed }) => {
      // In development a local receiver (http://localhost:…) is allowed; anywhere else, only a public https host.
      const refused = env.ENVIRONMENT === "development" ? null : refusedDestination(body.url);
      if (refused) throw invalidRequest(refused, { field: "url" });
      const secret = newEndpointSecret();
      const row = {
        id: newId("whe"),
        tenantId: principal.tenantId,
        url: body.url,
        events: JSON.stringify([...new Set(body.events)]),
        sealedSecret: await seal(serverSecret(env), secret),
        createdAt: new Date().toISOString(),
      };
      const endpoint = presentEndpoint({ ...row, deletedAt: null, previousSealedSecret: null, previousValidUntil: null });
      const answer = { status: 201, body: { ...endpoint, secret } };
      await addWebhookEndpoint(env.DB, row, auditInsert(env.DB, principal, "webhook_endpoint.created", row.id, { after: endpoint }), await keyed.answerWith(answer));
      return answer;
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/webhook-endpoints", response: R.listOf(R.WebhookEndpoint), summary: "Webhook endpoints", tag: "Limits and alerts", auth: ["secret"] },
    async ({ env, principal }) => {
      const rows = await liveWebhookEndpoints(env.DB, principal.tenantId);
      return { status: 200, body: { data: rows.map(presentEndpoint), next_cursor: null } };
    },
  );

  endpoint(
    app,
    { method: "delete", path: "/v1/webhook-endpoints/:id", errors: ["webhook_endpoint_not_found"], response: R.WebhookEndpointStopped, summary: "Stop sending to an endpoint", tag: "Limits and alerts", auth: ["secret"] },
    async ({ env, principal, param }) => {
      const row = await liveWebhookEndpoint(env.DB, principal.tenantId, param("id"));
      if (!row) throw notFound("webhook_endpoint_not_found", "Webhook endpoint");
      const audit = auditIfChanged(env.DB, principal, "webhook_endpoint.deleted", row.id, { before: presentEndpoint(row) });
      if (!(await deleteWebhookEndpoint(env.DB, principal.tenantId, row.id, new Date().toISOString(), audit))) throw notFound("webhook_endpoint_not_found", "Webhook endpoint");
      return { status: 200, body: { ...presentEndpoint(row), deleted: true } };
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/webhook-endpoints/:id/deliveries", errors: ["shard_unavailable", "webhook_endpoint_not_found"], response: R.listOf(R.DeliveryAttempt), summary: "An endpoint's delivery attempts, newest first: status code, error, attempt, next attempt", tag: "Limits and alerts", auth: ["secret"] },
    async ({ env, principal, param }) => {
      if (!(await liveWebhookEndpoint(env.DB, principal.tenantId, param("id")))) throw notFound("webhook_endpoint_not_found", "Webhook endpoint");
      return { status: 200, body: { data: await attemptsOf(await tenantShards(env, principal.tenantId), param("id"), 100), next_cursor: null } };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/webhook-endpoints/:id/rotate-secret", errors: ["rotation_in_progress", "webhook_endpoint_not_found"], response: R.SecretRotated, summary: "A new signing secret (shown once); the old one stays valid for 24 hours and both signatures are sent meanwhile", tag: "Limits and alerts", auth: ["secret"], status: 200 },
    async ({ env, principal, param, keyed }) => {
      const row = await liveWebhookEndpoint(env.DB, principal.tenantId, param("id"));
      if (!row) throw notFound("webhook_endpoint_not_found", "Webhook endpoint");
      const secret = newEndpointSecret();
      const now = Date.now();
      const until = now + PREVIOUS_SECRET_MS;
      const audit = auditIfChanged(env.DB, principal, "webhook_endpoint.secret_rotated", row.id, { after: { previous_valid_until: new Date(until).toISOString() } });
      const answer = { status: 200, body: { ...presentEndpoint(row), secret, previous_secret_valid_until: new Date(until).toISOString() } };
      // The new secret is shown once: it is kept as the key's answer in the write that makes it (when it is made).
      if (!(await rotateSecret(env.DB, principal.tenantId, row.id, await seal(serverSecret(env), secret), until, now, audit, await keyed.answerIfChanged(answer)))) {
        const current = await liveWebhookEndpoint(env.DB, principal.tenantId, row.id);
        if (!current) throw notFound("webhook_endpoint_not_found", "Webhook endpoint");
        // The secret before the last rotation still signs: a second rotation now would cut it off without warning.
        const validUntil = new Date(current.previousValidUntil ?? now).toISOString();
        throw new ApiError("rotation_in_progress", `The secret before the last rotation is valid until ${validUntil}; rotate again after that`, { previous_valid_until: validUntil });
      }
      return answer;
    },
  );
}
