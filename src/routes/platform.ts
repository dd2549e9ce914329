/** The platform operator's view of the shards: their fill, their alerts, a tenant's new epoch, and the move of before the shards. */
import { z } from "zod";
import { platformAlerts } from "../db/shards";
import { forgetTenant, loadTenantIfAny } from "../db/tenants";
import { ApiError, notFound, refusalError } from "../lib/errors";
import { isRefusal } from "../lib/refusal";
import { placementOf, withEpoch } from "../shards/placement";
import { moveToShards } from "../shards/move-to-shards";
import { shardReports } from "../shards/shard-directory";
import { forgetPlace, shardIds } from "../shards/tenant-shards";
import { endpoint, type App } from "./endpoint";

const ShardReport = z.strictObject({
  id: z.string().describe("shard-<n>: the D1 binding SHARD_<n>"),
  bytes: z.number().int().describe("The shard's D1 size now"),
  tenants: z.number().int().describe("Tenants with rows on it"),
  rows_per_day: z.number().int().describe("Rows its history writers wrote a day, over the last 7 days"),
  days_until_full: z.number().int().nullable().describe("At that pace, days until it reaches its capacity (null: nothing written lately)"),
  open: z.boolean().describe("Whether new tenants are placed on it (false past 80 % full, or when it did not answer)"),
  reachable: z.boolean().describe("Whether the shard answered; when not, its figures are 0 and null"),
});
const PlatformAlert = z.strictObject({ id: z.string(), type: z.literal("shard.filling"), subject_id: z.string(), created_at: z.string(), details: z.record(z.string(), z.unknown()) });
const Epoch = z.strictObject({ starts_at: z.string(), shards: z.array(z.string()) });
const NewEpoch = z.strictObject({
  starts_at: z.iso.datetime({ offset: true }).describe("From when the tenant's new rows go to these shards: at least a minute from now"),
  shards: z.array(z.string().max(32)).min(1).max(64),
});
const Moved = z.strictObject({ data: z.array(z.strictObject({ table: z.string(), rows: z.number().int(), sum: z.number().int().nullable() })) });

export function platformRoutes(app: App): void {
  endpoint(
    app,
    { method: "get", path: "/v1/platform/shards", response: z.strictObject({ data: z.array(ShardReport) }), summary: "Each D1 shard's size, tenants, rows a day and days until full", tag: "Platform", auth: ["platform"] },
    async ({ env }) => ({ status: 200, body: { data: await shardReports(env) } }),
  );

  endpoint(
    app,
    { method: "get", path: "/v1/platform/alerts", response: z.strictObject({ data: z.array(PlatformAlert) }), summary: "Alerts for the platform operator, newest first (a shard filling up)", tag: "Platform", auth: ["platform"] },
    async ({ env }) => ({ status: 200, body: { data: (await platformAlerts(env.DB)) as z.infer<typeof PlatformAlert>[] } }),
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/platform/tenants/:id/epochs",
      errors: ["tenant_not_found"],
      response: z.strictObject({ tenant_id: z.string(), placement: z.array(Epoch) }),
      summary: "Spread a tenant over more shards: from a time on, its new rows go to a new set of shards; nothing moves",
      tag: "Platform",
      auth: ["platform"],
      body: NewEpoch,
    },
    async ({ env, param, body }) => {
      const tenant = await loadTenantIfAny(env.DB, param("id"));
      if (!tenant) throw notFound("tenant_not_found", "Tenant");
      const next = withEpoch(placementOf(tenant.placement), body.shards, new Date(body.starts_at).toISOString(), Date.now(), shardIds(env));
      if (isRefusal(next)) throw refusalError(next);
      // Only if nobody changed it meanwhile: an epoch is never lost to a concurrent one.
      const saved = await env.DB.prepare("UPDATE tenants SET placement = ?1 WHERE id = ?2 AND placement = ?3").bind(JSON.stringify(next.placement), tenant.id, tenant.placement).run();
      if ((saved.meta.changes ?? 0) !== 1) throw new ApiError("placement_changed", "The tenant's placement changed meanwhile; read it and try again");
      forgetTenant(tenant.id);
      forgetPlace(tenant.id);
      return { status: 200, body: { tenant_id: tenant.id, placement: next.placement } };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/platform/shards/move", response: Moved, summary: "Move the rows of before the shards from DB to shard-0 (once, after the deploy that adds the shards)", tag: "Platform", auth: ["platform"] },
    async ({ env }) => ({ status: 200, body: { data: await moveToShards(env) } }),
  );
}
