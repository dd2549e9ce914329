/**
 * A limit in one sentence a merchant reads: "A card may pay at most $50.00 with customer credit per day; above
 * $30.00 the security team is alerted." The console shows it in the list and as the form's preview.
 */
import { formatMoney } from "../lib/money-format";
import type { Limit } from "./limit";

const METHOD = { credit: "customer credit", cashback: "cashback", points: "bonus points" } as const;
const PERIOD = { operation: "in one sale", day: "per day", week: "per week", month: "per month", lifetime: "in all" } as const;

export interface Names {
  /** Register and store names by id. */
  places: Map<string, string>;
}

export function limitSentence(limit: Pick<Limit, "scope" | "scope_id" | "per" | "metric" | "method" | "period" | "hard" | "soft">, currency: string, names: Names): string {
  const amount = (value: number) => (limit.method === "points" ? `${value.toLocaleString("en")} points` : formatMoney(value, currency));
  // Points say what they are ("500 points"); money says which balance it is.
  const withMethod = limit.method && limit.method !== "points" ? ` with ${METHOD[limit.method]}` : "";
  const ofMethod = limit.method && limit.method !== "points" ? ` of ${METHOD[limit.method]}` : "";
  const place = (id: string) => names.places.get(id) ?? id;
  const who =
    limit.scope === "card"
      ? `${limit.scope_id ? `Card ${limit.scope_id}` : "A card"}${limit.per === "register" ? ", at each register," : limit.per === "store" ? ", at each store," : ""}`
      : limit.scope === "register"
        ? limit.scope_id ? `Register ${place(limit.scope_id)}` : "A register"
        : limit.scope_id ? `Store ${place(limit.scope_id)}` : "A store";
  const cap = limit.hard ?? limit.soft?.upper ?? 0;
  const times = (n: number) => (n === 1 ? "once" : `${n.toLocaleString("en")} times`);
  const verb: Record<Limit["metric"], string> = {
    deducted_amount: `may pay at most ${amount(cap)}${withMethod}`,
    accrued_amount: `may earn at most ${amount(cap)}${ofMethod}`,
    manual_accrued_amount: `may be given at most ${amount(cap)}${ofMethod} by hand`,
    manual_deducted_amount: `may have at most ${amount(cap)}${ofMethod} taken by hand`,
    accrual_count: `may earn points at most ${times(cap)}`,
    manual_operation_count: `may have at most ${cap.toLocaleString("en")} changes made by hand`,
    purchase_count: `may make at most ${cap.toLocaleString("en")} purchases`,
    balance: `may hold at most ${amount(cap)}${ofMethod}`,
  };
  const counted = limit.metric === "accrual_count" || limit.metric === "manual_operation_count" || limit.metric === "purchase_count";
  const lower = limit.soft ? (counted ? limit.soft.lower.toLocaleString("en") : amount(limit.soft.lower)) : "";
  const when = limit.metric === "balance" ? "" : ` ${PERIOD[limit.period]}`;
  const then = limit.soft ? `; above ${lower} the security team is alerted.` : "; a sale that would go above is refused.";
  return `${who} ${verb[limit.metric]}${when}${then}`;
}
