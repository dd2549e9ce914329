/** Period windows on calendar boundaries in the tenant's time zone: "2026-11-22", "2026-W47", "2026-11", "lifetime". */
import type { Period } from "./limit";

const formatters = new Map<string, Intl.DateTimeFormat>();

function localDate(now: number, timeZone: string): { year: number; month: number; day: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(now)).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const weekYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${pad(week)}`;
}

/** The window a counter counts in; `operation` windows are the operation itself. */
export function windowOf(period: Period, now: number, timeZone: string, operationId: string): string {
  if (period === "lifetime") return "lifetime";
  if (period === "operation") return `op:${operationId}`;
  const { year, month, day } = localDate(now, timeZone);
  if (period === "day") return `${year}-${pad(month)}-${pad(day)}`;
  if (period === "month") return `${year}-${pad(month)}`;
  return isoWeek(year, month, day);
}
