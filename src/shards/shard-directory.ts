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
  /** False: the shard did not answer (it takes no new tenant; its figures are unknown, shown as 0 and null). */
  reachable: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Each shard's size, tenants, rows a day (what its writers wrote over the last 7 days, or since its first day, a
 * day) and days until full at that pace. A shard that does not answer is reported unreachable, not open: placing a
 * tenant and this report go on without it.
 */
export async function shardReports(env: Env, now = Date.now()): Promise<ShardReport[]> {
  const ids = shardIds(env);
  const capacity = capacityOf(env);
  const [tenants, closed] = await Promise.all([tenantsPerShard(env.DB, FIRST_SHARD), closedShardIds(env.DB)]);
  const since = new Date(now - 6 * DAY_MS).toISOString().slice(0, 10);
  const today = Date.parse(new Date(now).toISOString().slice(0, 10));
  const reports = await Promise.all(
    ids.map(async (id): Promise<ShardReport> => {
      let read: Awaited<ReturnType<typeof shardRowsByDay>>;
      try {
        read = await shardRowsByDay(shardDatabase(env, id), since);
      } catch (error) {
        console.error(`${id} did not answer:`, String(error));
        return { id, bytes: 0, tenants: tenants.get(id) ?? 0, rows_per_day: 0, days_until_full: null, open: false, reachable: false };
      }
      const { bytes, days, allRows } = read;
      // Over the days since the first it wrote on, at most 7 (today counts as a day).
      const spanDays = days.length === 0 ? 1 : Math.min(7, (today - Date.parse(days[0].day)) / DAY_MS + 1);
      const rowsPerDay = Math.round(days.reduce((sum, day) => sum + day.rows, 0) / spanDays);
      const bytesPerDay = allRows === 0 ? 0 : (rowsPerDay * bytes) / allRows;
      return {
        id,
        bytes,
        tenants: tenants.get(id) ?? 0,
        rows_per_day: rowsPerDay,
        days_until_full: bytesPerDay > 0 ? Math.max(0, Math.floor((capacity - bytes) / bytesPerDay)) : null,
        open: !closed.has(id) && !isFilling(bytes, capacity),
        reachable: true,
      };
    }),
  );
  // A shard found past 80 % is closed once, with its alert (a retry finds it closed and raises nothing).
  await Promise.all(reports.filter((r) => r.reachable && !closed.has(r.id) && isFilling(r.bytes, capacity)).map((r) => closeShard(env.DB, r.id, r.bytes, capacity, new Date(now).toISOString())));
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
