/**
 * The D1 shards of the platform and of one tenant. Each shard is a D1 binding `SHARD_<n>` (id `shard-<n>`); adding one
 * is a binding, its migrations and a deploy (docs/capacity.md). A tenant's placement is cached a few seconds.
 */
import type { Env } from "../env";
import { ShortCache } from "../lib/short-cache";
import { ApiError } from "../lib/errors";
import { placementOf, shardsOfTenant, type Placement } from "./placement";

const BINDING = /^SHARD_(\d+)$/;

export const shardUnavailable = () =>
  new ApiError("shard_unavailable", "This business's history is not reachable right now; sales and balances are not affected. Try again shortly", { retry_after: 5 });

/** Every shard the Worker is bound to, in order (`shard-0`, `shard-1`, …). */
export function shardIds(env: Env): string[] {
  return Object.keys(env)
    .map((name) => BINDING.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => `shard-${n}`);
}

/** The D1 database of a shard. */
export function shardDatabase(env: Env, shard: string): D1Database {
  const d1 = (env as unknown as Record<string, D1Database | undefined>)[`SHARD_${shard.slice("shard-".length)}`];
  // A placement naming a shard this Worker has no binding for (a rollback): its tenant's history waits, 503.
  if (!d1) {
    console.error(`no binding for ${shard}: add SHARD_${shard.slice("shard-".length)} (docs/capacity.md)`);
    throw shardUnavailable();
  }
  return d1;
}

export interface Shard {
  id: string;
  d1: D1Database;
}

/** A tenant's shards: its placement (where each of its rows goes), and every shard a list reads. */
export interface TenantShards {
  tenantId: string;
  placement: Placement;
  /** Every shard the tenant has rows on. */
  all: Shard[];
  /** A live tenant's, or a test tenant's (`livemode` on the events read back). */
  livemode: boolean;
  /** Days its history stays in D1 (`history_retention_days`). */
  retentionDays: number;
}

/** What a shard's writer and reader need of a tenant, cached a few seconds per isolate (epochs start a minute ahead). */
interface TenantPlace {
  placement: string;
  livemode: boolean;
  /** Days its history stays in D1: what its reads show, from now back. */
  retentionDays: number;
}
const places = new ShortCache<TenantPlace>(5_000, 10_000);

/** The tenant's placement and mode; a tenant with no record (an account's own tests) is placed as before the shards. */
export async function tenantPlace(env: Env, tenantId: string): Promise<TenantPlace> {
  return places.through(tenantId, async () => {
    const row = await env.DB.prepare("SELECT placement, livemode, history_retention_days FROM tenants WHERE id = ?").bind(tenantId).first<{ placement: string; livemode: number; history_retention_days: number }>();
    return { placement: row?.placement ?? "[]", livemode: row ? row.livemode === 1 : true, retentionDays: row?.history_retention_days ?? 90 };
  });
}

/** A tenant's placement changed in this isolate: read it again. */
export const forgetPlace = (tenantId: string) => places.delete(tenantId);

export async function tenantShards(env: Env, tenantId: string): Promise<TenantShards> {
  const place = await tenantPlace(env, tenantId);
  const placement = placementOf(place.placement);
  return { tenantId, placement, all: shardsOfTenant(placement).map((id) => ({ id, d1: shardDatabase(env, id) })), livemode: place.livemode, retentionDays: place.retentionDays };
}

/**
 * A read over each of the tenant's shards at once, as one answer per shard. A shard that fails stops this read with
 * 503 `shard_unavailable` (only tenants on it see that); the failure is logged.
 */
export async function acrossShards<T>(shards: TenantShards, read: (d1: D1Database) => Promise<T>): Promise<T[]> {
  return Promise.all(
    shards.all.map(async (shard) => {
      try {
        return await read(shard.d1);
      } catch (error) {
        if (error instanceof ApiError) throw error;
        console.error(`${shard.id} failed:`, String(error));
        throw shardUnavailable();
      }
    }),
  );
}
