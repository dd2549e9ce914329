/**
 * The platform's view of its shards: how full each is, which take new tenants, and where a new tenant goes. A shard
 * past 80 % of its capacity is closed to new tenants, once, with a platform alert (`shard.filling`).
 */
import type { Env } from "../env";
import { closeShard, closedShardIds, shardRowsByDay, tenantsPerShard } from "../db/shards";
import { chooseShard, FIRST_SHARD, isFilling, type Placement, type ShardFill } from "./placement";
import { shardDatabase, shardIds } from "./tenant-shards";
import { isRefusal, type Refusal } from "../lib/refusal";

/** A D1 database stops at 10 GB; `SHARD_CAPACITY_BYTES` says otherwise (a smaller plan, or a test). */
export const capacityOf = (env: Env) => Number(env.SHARD_CAPACITY_BYTES ?? 10_000_000_000);

export interface ShardReport {
  id: string;
  bytes: number;
  tenants: number;
  rows_per_day: number;
  days_until_full: number | null;
  open: boolean;
}

const DAY_MS = 86_400_000;

/** Each shard's size, tenants, rows a day (the mean of the last 7 days written) and days until full at that pace. */
export async function shardReports(env: Env, now = Date.now()): Promise<ShardReport[]> {
  const ids = shardIds(env);
  const capacity = capacityOf(env);
  const [tenants, closed] = await Promise.all([tenantsPerShard(env.DB, FIRST_SHARD), closedShardIds(env.DB)]);
  const since = new Date(now - 6 * DAY_MS).toISOString().slice(0, 10);
  const reports = await Promise.all(
    ids.map(async (id): Promise<ShardReport> => {
      const { bytes, days, allRows } = await shardRowsByDay(shardDatabase(env, id), since);
      const rowsPerDay = days.length === 0 ? 0 : Math.round(days.reduce((sum, day) => sum + day.rows, 0) / days.length);
      const bytesPerDay = allRows === 0 ? 0 : (rowsPerDay * bytes) / allRows;
      return {
        id,
        bytes,
        tenants: tenants.get(id) ?? 0,
        rows_per_day: rowsPerDay,
        days_until_full: bytesPerDay > 0 ? Math.max(0, Math.floor((capacity - bytes) / bytesPerDay)) : null,
        open: !closed.has(id) && !isFilling(bytes, capacity),
      };
    }),
  );
  // A shard found past 80 % is closed once, with its alert (a retry finds it closed and raises nothing).
  await Promise.all(reports.filter((r) => !closed.has(r.id) && isFilling(r.bytes, capacity)).map((r) => closeShard(env.DB, r.id, r.bytes, capacity, new Date(now).toISOString())));
  return reports;
}

/** The placement of a new tenant: one epoch, from the start, on the least filled open shard. */
export async function placeNewTenant(env: Env): Promise<{ placement: string } | Refusal> {
  const fills: ShardFill[] = await shardReports(env);
  const chosen = chooseShard(fills, capacityOf(env));
  if (isRefusal(chosen)) return chosen;
  const placement: Placement = [{ starts_at: "", shards: [chosen.shard] }];
  return { placement: JSON.stringify(placement) };
}
