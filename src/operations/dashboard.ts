/** The console's home page: today so far in the tenant's calendar, what is held right now, and the last 24 hours. */
import { METHODS, type Method } from "../accounts/operation";
import { alertsByHour, blockedCardCount, heldNow, openAlertCount, paidByHour } from "../db/dashboard";
import { acrossShards, tenantShards } from "../shards/tenant-shards";
import type { Env } from "../env";
import { windowOf } from "../limits/calendar";
import { dailyReportOf } from "./daily-report";

export interface HourBar {
  /** The hour's start (UTC, ISO). */
  start: string;
  paid: Record<Method, number>;
  alerts: number;
}

export interface Dashboard {
  today: { date: string; purchases: number; refunds: number; deducted: Record<Method, number>; accrued: number; balanced: boolean };
  held: { count: number; amounts: Record<Method, number> };
  open_alerts: number;
  blocked_cards: number;
  hours: HourBar[];
}

const HOUR_MS = 3_600_000;

export async function dashboardOf(env: Env, tenant: { id: string; timezone: string; currency: string }, now = Date.now()): Promise<Dashboard> {
  const firstHour = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
  const date = windowOf("day", now, tenant.timezone, "");
  const [report, fromShards, openAlerts, blocked, raised] = await Promise.all([
    dailyReportOf(env, tenant, date, null, now),
    tenantShards(env, tenant.id).then((shards) =>
      acrossShards(shards, (d1) => Promise.all([heldNow(d1, tenant.id, now), paidByHour(d1, tenant.id, new Date(firstHour).toISOString().slice(0, 13))])),
    ),
    openAlertCount(env.DB, tenant.id),
    blockedCardCount(env.DB, tenant.id),
    alertsByHour(env.DB, tenant.id, new Date(firstHour).toISOString().slice(0, 13)),
  ]);
  const bars: HourBar[] = Array.from({ length: 24 }, (_, i) => ({ start: new Date(firstHour + i * HOUR_MS).toISOString(), paid: { credit: 0, cashback: 0, points: 0 }, alerts: 0 }));
  const at = (hour: string) => bars.find((bar) => bar.start.startsWith(hour));
  const held = { count: 0, amounts: { credit: 0, cashback: 0, points: 0 } as Record<Method, number> };
  for (const [shardHeld, paid] of fromShards) {
    held.count += shardHeld.count;
    for (const method of METHODS) held.amounts[method] += shardHeld.held[method];
    for (const row of paid) {
      const bar = at(row.hour);
      if (bar) bar.paid[row.method] += row.total;
    }
  }
  for (const row of raised) {
    const bar = at(row.hour);
    if (bar) bar.alerts += row.total;
  }
  const sum = (pick: (m: (typeof report.stores)[number]["methods"][number]) => number, method: Method) =>
    report.stores.reduce((total, store) => total + pick(store.methods.find((m) => m.method === method)!), 0);
  return {
    today: {
      date,
      purchases: report.stores.reduce((n, s) => n + s.counts.purchases, 0),
      refunds: report.stores.reduce((n, s) => n + s.counts.refunds, 0),
      deducted: Object.fromEntries(METHODS.map((m) => [m, sum((f) => f.operations.deducted, m)])) as Record<Method, number>,
      accrued: sum((f) => f.operations.accrued, "points"),
      balanced: report.balanced,
    },
    held,
    open_alerts: openAlerts,
    blocked_cards: blocked,
    hours: bars,
  };
}
