/**
 * A tenant's hourly SMS budget (setting `sms_per_hour`), as a pure rule over one calendar hour's count. Every SMS of
 * the tenant, of any kind, takes one; over the budget nothing is sent, and the first refusal of the hour raises
 * `sms.budget_exhausted`.
 */
import { refuse, type Refusal } from "../lib/refusal";

const HOUR_MS = 3600 * 1000;

/** One calendar hour (UTC) of a tenant's SMS. */
export interface BudgetHour {
  /** Start of the hour, ms since the epoch. */
  start: number;
  sent: number;
  /** The hour's first refusal has raised its alert. */
  alerted: boolean;
}

export type BudgetDecision =
  | { kind: "send"; hour: BudgetHour }
  | { kind: "refuse"; hour: BudgetHour; refusal: Refusal; raiseAlert: boolean };

export const hourOf = (now: number) => Math.floor(now / HOUR_MS) * HOUR_MS;

/**
 * May the tenant send one more SMS now? `take`: count it (the SMS goes out); otherwise only look (a sign-in code is
 * counted when it is actually sent, so a phone nobody enrolled costs no budget).
 */
export function decideSms(stored: BudgetHour | null, perHour: number, now: number, take: boolean): BudgetDecision {
  const start = hourOf(now);
  const hour = stored && stored.start === start ? { ...stored } : { start, sent: 0, alerted: false };
  if (hour.sent >= perHour) {
    const retryAfter = Math.max(1, Math.ceil((start + HOUR_MS - now) / 1000));
    const raiseAlert = !hour.alerted;
    hour.alerted = true;
    const refusal = refuse("rate_limited", "This program has sent its SMS allowance for this hour; try again later", {
      retry_after: retryAfter,
      budget: "sms_per_hour",
    });
    return { kind: "refuse", hour, refusal, raiseAlert };
  }
  if (take) hour.sent += 1;
  return { kind: "send", hour };
}

/** An SMS the provider refused gives its place back (only within the hour it was counted in). */
export function giveBack(stored: BudgetHour | null, countedAt: number): BudgetHour | null {
  if (!stored || stored.start !== hourOf(countedAt) || stored.sent === 0) return stored;
  return { ...stored, sent: stored.sent - 1 };
}
