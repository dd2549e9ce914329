/**
 * A tenant's hourly SMS budgets, as a pure rule over one calendar hour's count. The till's and back office's SMS
 * count against `sms_per_hour`; sign-in codes, which anyone may ask for, against `sms_signin_per_hour` of their own,
 * so using that one up never refuses a till's code. Over a budget nothing is sent, and its first refusal of the hour
 * raises `sms.budget_exhausted`.
 */
import { refuse, type Refusal } from "../lib/refusal";

const HOUR_MS = 3600 * 1000;

/** A budget, named by the setting that bounds it. */
export type SmsBudget = "sms_per_hour" | "sms_signin_per_hour";

/** The alert's counter for each budget. */
export const budgetMetric = { sms_per_hour: "sms_sent", sms_signin_per_hour: "signin_sms_sent" } as const satisfies Record<SmsBudget, string>;

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
export function decideSms(stored: BudgetHour | null, budget: SmsBudget, perHour: number, now: number, take: boolean): BudgetDecision {
  const start = hourOf(now);
  const hour = stored && stored.start === start ? { ...stored } : { start, sent: 0, alerted: false };
  if (hour.sent >= perHour) {
    const retryAfter = Math.max(1, Math.ceil((start + HOUR_MS - now) / 1000));
    const raiseAlert = !hour.alerted;
    hour.alerted = true;
    const what = budget === "sms_signin_per_hour" ? "sign-in SMS" : "SMS";
    const refusal = refuse("rate_limited", `This program has sent its ${what} allowance for this hour; try again later`, {
      retry_after: retryAfter,
      budget,
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
