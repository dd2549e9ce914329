/**
 * A limit's counters as staff read them: those of the window in force, each with its window's start and end in the
 * tenant's calendar, what of it is still held, and the bound — nearest to its bound first.
 */
import { windowOf } from "./calendar";
import type { Limit } from "./limit";

/** A counter as its object stores it, with its reservations still held. */
export interface StoredCounter {
  subject: string;
  window: string;
  value: number;
  pending: number;
}

export interface CounterView {
  subject: string;
  window_start: string | null;
  window_end: string | null;
  value: number;
  pending: number;
  bound: number;
  /** A soft limit's lower bound: above it the security team is alerted. */
  alert_above: number | null;
}

const DAY_MS = 86_400_000;

/** How far the zone is ahead of UTC at an instant, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, Number(p.value)]),
  );
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - instant;
}

/** The local calendar date of an instant, as "YYYY-MM-DD". */
const localDay = (instant: number, timeZone: string) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(instant));

/**
 * The instant a local calendar date begins in the zone (Date.UTC's rules carry a day or month past its end). Where
 * the clocks skip midnight itself (Santiago, Havana), the day begins at the first instant that is on it.
 */
function localMidnight(year: number, month: number, day: number, timeZone: string): string {
  const wall = Date.UTC(year, month - 1, day);
  let instant = wall - offsetAt(wall, timeZone);
  instant = wall - offsetAt(instant, timeZone);
  const target = new Date(wall).toISOString().slice(0, 10);
  for (let step = 0; step < 8 && localDay(instant, timeZone) < target; step++) instant += 15 * 60 * 1000;
  return new Date(instant).toISOString();
}

/** Where a window of the tenant's calendar starts and ends (null for lifetime and one-operation windows). */
export function windowBounds(window: string, timeZone: string): { start: string | null; end: string | null } {
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(window);
  if (match) {
    const [y, m, d] = match.slice(1).map(Number);
    return { start: localMidnight(y, m, d, timeZone), end: localMidnight(y, m, d + 1, timeZone) };
  }
  match = /^(\d{4})-W(\d{2})$/.exec(window);
  if (match) {
    const [year, week] = match.slice(1).map(Number);
    const jan4 = Date.UTC(year, 0, 4);
    const monday = new Date(jan4 - ((new Date(jan4).getUTCDay() || 7) - 1) * DAY_MS + (week - 1) * 7 * DAY_MS);
    const [y, m, d] = [monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate()];
    return { start: localMidnight(y, m, d, timeZone), end: localMidnight(y, m, d + 7, timeZone) };
  }
  match = /^(\d{4})-(\d{2})$/.exec(window);
  if (match) {
    const [y, m] = match.slice(1).map(Number);
    return { start: localMidnight(y, m, 1, timeZone), end: localMidnight(y, m + 1, 1, timeZone) };
  }
  return { start: null, end: null };
}

/** The counters of the window in force (for a per-operation limit: the operations still held), nearest the bound first. */
export function countersInForce(limit: Limit, stored: StoredCounter[], now: number, timeZone: string): CounterView[] {
  const current = limit.period === "operation" ? null : windowOf(limit.period, now, timeZone, "");
  const bound = limit.hard ?? limit.soft?.upper ?? 0;
  return stored
    .filter((c) => (current === null ? c.window.startsWith("op:") && c.pending > 0 : c.window === current))
    .map((c) => {
      const { start, end } = windowBounds(c.window, timeZone);
      return { subject: c.subject, window_start: start, window_end: end, value: c.value, pending: c.pending, bound, alert_above: limit.soft?.lower ?? null };
    })
    .sort((a, b) => b.value / (b.bound || 1) - a.value / (a.bound || 1) || a.subject.localeCompare(b.subject));
}
