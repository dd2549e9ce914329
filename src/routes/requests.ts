/**
 * The request bodies and queries more than one route takes (the API's and the console's forms), so that no route
 * imports another. A route's own schemas stay beside it.
 */
import { z } from "zod";
import { AMOUNT_METRICS, METRICS, PERIODS, SCOPES } from "../limits/limit";
import { isKnownCurrency, isKnownTimeZone } from "../lib/money";
import { method, name, nonNegativeAmount, phone } from "../lib/schemas";
import * as EX from "./examples";

export const CreateTenant = z.strictObject({
  name,
  currency: z.string().refine(isKnownCurrency, "must be an ISO 4217 currency code such as USD"),
  timezone: z.string().max(64).refine(isKnownTimeZone, "must be a time zone from the list, such as Australia/Sydney").default("UTC"),
  /** False makes a test tenant (API.md, test mode). */
  livemode: z.boolean().default(true),
}).meta({ examples: [EX.createTenant] });

const isDate = (text: string) => {
  const [y, m, d] = text.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

export const DailyReportQuery = z.strictObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date such as 2026-12-01").refine(isDate, "must be a real date"),
  store_id: z.string().min(1).max(64).optional(),
  format: z.enum(["json", "csv"]).optional(),
});

export const DevSmsQuery = z.object({ phone: phone.optional(), limit: z.coerce.number().int().min(1).max(100).default(20) });

export const CreateLimit = z
  .strictObject({
    scope: z.enum(SCOPES),
    scope_id: z.string().max(64).nullable().default(null),
    per: z.enum(["register", "store"]).nullable().default(null),
    metric: z.enum(METRICS),
    method: method.nullable().default(null),
    period: z.enum(PERIODS),
    hard: nonNegativeAmount.optional(),
    soft: z.strictObject({ lower: nonNegativeAmount, upper: nonNegativeAmount }).optional(),
  })
  .superRefine((limit, ctx) => {
    const issue = (message: string, path: string) => ctx.addIssue({ code: "custom", message, path: [path] });
    if ((limit.hard === undefined) === (limit.soft === undefined)) issue("give either hard or soft", "hard");
    if (limit.soft && limit.soft.lower >= limit.soft.upper) issue("lower must be below upper", "soft");
    if (limit.per !== null && limit.scope !== "card") issue("per is for card limits only", "per");
    if (((AMOUNT_METRICS as readonly string[]).includes(limit.metric) || limit.metric === "balance") && limit.method === null) {
      issue(`${limit.metric} needs a method: points, credit or cashback`, "method");
    }
    if (limit.metric === "balance" && limit.scope !== "card") issue("balance is a card limit", "metric");
  })
  .meta({ examples: EX.createLimit });
