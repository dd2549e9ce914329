/**
 * Webhook delivery for one tenant: sends due deliveries (D1 rows) as signed POSTs from its alarm, marks each
 * delivered after a 2xx, and otherwise retries with back-off (30 s, 2 min, 8 min … up to 8 tries). At least once.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { unseal } from "../lib/crypto";
import { serverSecret } from "../lib/server-secret";
import { signedHeaders } from "./signing";

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
  url: string;
  sealed_secret: string;
  previous_sealed_secret: string | null;
  previous_valid_until: number | null;
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
    const due = await this.env.DB.prepare(
      `SELECT d.event_id, d.endpoint_id, d.payload, d.attempts, e.url, e.sealed_secret, e.previous_sealed_secret, e.previous_valid_until
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
       WHERE d.tenant_id = ? AND d.delivered_at IS NULL AND d.attempts < ? AND d.next_attempt_at <= ? AND e.deleted_at IS NULL
       ORDER BY d.next_attempt_at LIMIT ?`,
    )
      .bind(tenantId, MAX_ATTEMPTS, now, BATCH)
      .all<DueDelivery>();
    // Each delivery stands alone; one whose attempt could not be recorded (the object dying, D1 away) is still due,
    // so the next alarm, set below, sends it again: at least once.
    const settled = await Promise.allSettled(due.results.map((delivery) => this.deliver(tenantId, delivery)));
    const failed = settled.find((result) => result.status === "rejected");
    if (failed) console.warn("a webhook attempt was not recorded; it is sent again:", String((failed as PromiseRejectedResult).reason));
    const next = await this.env.DB.prepare(
      "SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries WHERE tenant_id = ? AND delivered_at IS NULL AND attempts < ?",
    )
      .bind(tenantId, MAX_ATTEMPTS)
      .first<{ at: number | null }>();
    // After an attempt that could not be recorded, wait a moment: a D1 that fails writes is not hammered.
    if (next?.at != null) await this.ctx.storage.setAlarm(Math.max(next.at, Date.now() + (failed ? UNRECORDED_RETRY_MS : 10)));
  }

  private async deliver(tenantId: string, delivery: DueDelivery): Promise<void> {
    let status: number | null = null;
    let error: string | null = null;
    try {
      const secrets = [await unseal(serverSecret(this.env), delivery.sealed_secret)];
      // For a day after a rotation the old secret signs too: a receiver not yet updated still accepts.
      if (delivery.previous_sealed_secret && (delivery.previous_valid_until ?? 0) > Date.now()) secrets.push(await unseal(serverSecret(this.env), delivery.previous_sealed_secret));
      const signed = await signedHeaders(secrets, delivery.event_id, delivery.payload, Math.floor(Date.now() / 1000));
      const response = await fetch(delivery.url, {
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
    await this.env.DB.batch([
      this.env.DB.prepare(
        `UPDATE webhook_deliveries SET attempts = ?, last_status = ?, delivered_at = ?, next_attempt_at = ?
         WHERE event_id = ? AND endpoint_id = ? AND delivered_at IS NULL`,
      ).bind(attempts, status, delivered ? at : null, next ?? Date.now() + retryDelay(attempts), delivery.event_id, delivery.endpoint_id),
      this.env.DB.prepare(
        "INSERT OR IGNORE INTO webhook_attempts (event_id, endpoint_id, tenant_id, attempt, status_code, error, at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ).bind(delivery.event_id, delivery.endpoint_id, tenantId, attempts, status, error, at, next === null ? null : new Date(next).toISOString()),
    ]);
  }
}
