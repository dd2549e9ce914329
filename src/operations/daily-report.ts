/**
 * GET /v1/reports/daily: one day of the tenant's calendar, per store and method — what the confirmed operations say
 * moved, against the journal the accounts posted, `balanced` when they agree. A day whose history has not all
 * reached D1 says so (`complete: false` and why) instead of passing for final.
 */
import { storesWithRegisters } from "../db/stores";
import { journalBetween, operationsConfirmedBetween, pendingPastExpiry } from "../db/reports";
import type { Env } from "../env";
import { acrossShards, tenantShards } from "../shards/tenant-shards";
import { windowBounds } from "../limits/counters-view";
import { dailyReport, type StoreDay } from "../reports/daily-report";
import { windowStart } from "../db/record-tables";

/** How long after a day ends the accounts' last shipments are given to reach D1 before the day is called final. */
const SETTLE_MS = 5 * 60 * 1000;

export interface DailyReport {
  date: string;
  time_zone: string;
  currency: string;
  window_start: string;
  window_end: string;
  complete: boolean;
  incomplete_reason: string | null;
  stores: (StoreDay & { store_name: string })[];
  balanced: boolean;
}

export async function dailyReportOf(env: Env, tenant: { id: string; timezone: string; currency: string }, date: string, storeId: string | null, now = Date.now()): Promise<DailyReport> {
  const { start, end } = windowBounds(date, tenant.timezone) as { start: string; end: string };
  const shards = await tenantShards(env, tenant.id);
  const before = new Date(Math.min(now, Date.parse(end)) - 60_000).toISOString();
  // Each shard's part of the day; rows and counts add up across them.
  const [places, parts] = await Promise.all([
    storesWithRegisters(env.DB, tenant.id),
    acrossShards(shards, (d1) =>
      Promise.all([
        operationsConfirmedBetween(d1, tenant.id, start, end, storeId),
        journalBetween(d1, tenant.id, start, end, storeId),
        pendingPastExpiry(d1, tenant.id, { start, before }, storeId),
      ]),
    ),
  ]);
  const operations = parts.flatMap(([confirmed]) => confirmed);
  const journal = parts.flatMap(([, posted]) => posted);
  const lagging = parts.reduce((sum, [, , pending]) => sum + pending, 0);
  const names = new Map(places.map(({ store }) => [store.id, store.name]));
  const storeIds = storeId ? [storeId] : places.map(({ store }) => store.id);
  const stores = dailyReport(operations, journal, storeIds).map((day) => ({ ...day, store_name: names.get(day.store_id) ?? "" }));
  // A day older than the history kept at hand (`history_retention_days`) may have left D1 already: its archive holds it.
  const pastWindow = start < windowStart(shards.retentionDays, now);
  const reason =
    pastWindow ? `That day is older than the ${shards.retentionDays} days of history kept at hand: its records are in the day's archive (GET /v1/exports).` :
    now < Date.parse(end) ? "The day is not over yet: the figures are so far." :
    now < Date.parse(end) + SETTLE_MS ? "The day ended a moment ago: the last sales may still be on their way to the records." :
    lagging > 0 ? `${lagging} sale${lagging === 1 ? "" : "s"} of the day ${lagging === 1 ? "has" : "have"} not reached the records yet.` :
    null;
  return {
    date,
    time_zone: tenant.timezone,
    currency: tenant.currency,
    window_start: start,
    window_end: end,
    complete: reason === null,
    incomplete_reason: reason,
    stores,
    balanced: stores.every((s) => s.balanced),
  };
}
