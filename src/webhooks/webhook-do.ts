/**
 * Webhook delivery for one tenant: sends due deliveries (D1 rows) as signed POSTs from its alarm, marks each
 * delivered after a 2xx, and otherwise retries with back-off (30 s, 2 min, 8 min … up to 8 tries). At least once.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { unseal } from "../lib/crypto";
import { serverSecret } from "../lib/server-secret";
import { signedHeaders } from "./signing";
import { tenantShards } from "../shards/tenant-shards";
import { liveWebhookEndpoints, type EndpointRow } from "../db/webhook-endpoints";

export const MAX_ATTEMPTS = 8;
const FIRST_RETRY_MS = 30_000;
const BATCH = 25;
export const TIMEOUT_MS = 10_000;
/** How long after an attempt that could not be recorded the alarm tries again. */
const UNRECORDED_RETRY_MS = 5_000;

export function retryDelay(attempts: number): number {
  return FIRST_RETRY_MS * 4 ** (attempts - 1);
}

interface DueDelivery {
  event_id: string;
  endpoint_id: string;
  payload: string;
  attempts: number;
}

export class WebhookDO extends DurableObject<Env> {
  /** There are new deliveries: deliver now. */
  async kick(tenantId: string): Promise<void> {
    await this.ctx.storage.put("tenant", tenantId);
    await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const tenantId = await this.ctx.storage.get<string>("tenant");
    if (!tenantId) return;
    const now = Date.now();
    // Deliveries wait on the tenant's shards, beside their events; the endpoints they go to are in the directory.
    const [shards, live] = await Promise.all([tenantShards(this.env, tenantId), liveWebhookEndpoints(this.env.DB, tenantId)]);
    const endpoints = new Map(live.map((e) => [e.id, e]));
    const ids = JSON.stringify([...endpoints.keys()]);
    // A shard that fails holds back only its own deliveries: the others go, and the alarm comes back for it.
    const perShard = await Promise.allSettled(
      shards.all.map(async ({ d1 }) => {
        const due = await d1
          .prepare(
            `SELECT event_id, endpoint_id, payload, attempts FROM webhook_deliveries
             WHERE tenant_id = ? AND delivered_at IS NULL AND attempts < ? AND next_attempt_at <= ? AND endpoint_id IN (SELECT value FROM json_each(?))
             ORDER BY next_attempt_at LIMIT ?`,
          )
          .bind(tenantId, MAX_ATTEMPTS, now, ids, BATCH)
          .all<DueDelivery>();
        // Each delivery stands alone; one whose attempt could not be recorded (the object dying, D1 away) is still
        // due, so the next alarm, set below, sends it again: at least once.
        const settled = await Promise.allSettled(due.results.map((delivery) => this.deliver(d1, tenantId, delivery, endpoints.get(delivery.endpoint_id)!)));
        const failed = settled.find((result) => result.status === "rejected");
        if (failed) throw (failed as PromiseRejectedResult).reason;
        const next = await d1
          .prepare("SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries WHERE tenant_id = ? AND delivered_at IS NULL AND attempts < ? AND endpoint_id IN (SELECT value FROM json_each(?))")
          .bind(tenantId, MAX_ATTEMPTS, ids)
          .first<{ at: number | null }>();
        return next?.at ?? null;
      }),
    );
    const failed = perShard.find((result) => result.status === "rejected");
    if (failed) console.warn("a webhook attempt was not recorded; it is sent again:", String((failed as PromiseRejectedResult).reason));
    const nexts = perShard.flatMap((result) => (result.status === "fulfilled" && result.value !== null ? [result.value] : []));
    // After an attempt that could not be recorded, wait a moment: a D1 that fails writes is not hammered.
    if (failed) nexts.push(Date.now() + UNRECORDED_RETRY_MS);
    if (nexts.length > 0) await this.ctx.storage.setAlarm(Math.max(Math.min(...nexts), Date.now() + (failed ? UNRECORDED_RETRY_MS : 10)));
  }

  private async deliver(shard: D1Database, tenantId: string, delivery: DueDelivery, endpoint: EndpointRow): Promise<void> {
    let status: number | null = null;
    let error: string | null = null;
    try {
      const secrets = [await unseal(serverSecret(this.env), endpoint.sealedSecret)];
      // For a day after a rotation the old secret signs too: a receiver not yet updated still accepts.
      if (endpoint.previousSealedSecret && (endpoint.previousValidUntil ?? 0) > Date.now()) secrets.push(await unseal(serverSecret(this.env), endpoint.previousSealedSecret));
      const signed = await signedHeaders(secrets, delivery.event_id, delivery.payload, Math.floor(Date.now() / 1000));
      const response = await fetch(endpoint.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...signed, "user-agent": "Tillsafe-Webhooks/1" },
        body: delivery.payload,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        // A redirect could lead anywhere, past the destination check: a 3xx is a failed attempt, never followed.
        redirect: "manual",
      });
      status = response.status;
      if (status < 200 || status >= 300) error = status >= 300 && status < 400 ? `redirect (${status}), not followed` : `answered ${status}`;
      await response.body?.cancel();
    } catch (failure) {
      status = null;
      error = failure instanceof Error && failure.name === "TimeoutError" ? "no answer within 10 s" : "could not connect";
    }
    const attempts = delivery.attempts + 1;
    const delivered = status !== null && status >= 200 && status < 300;
    const next = delivered || attempts >= MAX_ATTEMPTS ? null : Date.now() + retryDelay(attempts);
    const at = new Date().toISOString();
    await shard.batch([
      shard.prepare(
        `UPDATE webhook_deliveries SET attempts = ?, last_status = ?, delivered_at = ?, next_attempt_at = ?
         WHERE event_id = ? AND endpoint_id = ? AND delivered_at IS NULL`,
      ).bind(attempts, status, delivered ? at : null, next ?? Date.now() + retryDelay(attempts), delivery.event_id, delivery.endpoint_id),
      shard.prepare(
        "INSERT OR IGNORE INTO webhook_attempts (event_id, endpoint_id, tenant_id, attempt, status_code, error, at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ).bind(delivery.event_id, delivery.endpoint_id, tenantId, attempts, status, error, at, next === null ? null : new Date(next).toISOString()),
    ]);
  }
}
