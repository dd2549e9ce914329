/**
 * Every error code the API answers, with its HTTP status and the shape of its `details` (API.md). Routes name the
 * codes they may answer (`errors` in routes/endpoint.ts); the OpenAPI document lists them per route and status, and
 * the tests check each error a route answers is one it names.
 */
import { z } from "zod";

const method = z.enum(["credit", "cashback", "points"]);
const none = z.object({}).describe("No details");
const authorization = z.object({ authorization: z.object({ method: z.string(), status: z.string() }).passthrough() });
const status = z.object({ status: z.string() });
const retry = z.object({ retry_after: z.number().int().describe("Seconds until a try may succeed (also the Retry-After header)") });

export const ERROR_CODES = {
  invalid_request: {
    status: 400,
    details: z
      .object({ issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(), field: z.string().optional(), method: method.optional() })
      .describe("What was wrong: the fields (`issues`), or the one field"),
  },
  idempotency_key_required: { status: 400, details: none },
  payments_exceed_total: { status: 400, details: z.object({ total: z.number().int(), payments_value: z.number().int() }) },
  weak_password: { status: 400, details: z.object({ field: z.string() }).partial() },
  unauthenticated: { status: 401, details: none },
  invalid_credentials: { status: 401, details: none },
  forbidden: { status: 403, details: none },
  invite_required: { status: 403, details: none },
  not_found: { status: 404, details: none },
  approval_request_not_found: { status: 404, details: none },
  alert_not_found: { status: 404, details: none },
  tenant_not_found: { status: 404, details: none },
  /** No archive of that day: it is made a day after the day ends, once every sale of it has ended; or the business did not exist then. */
  export_not_found: { status: 404, details: none },
  card_not_found: { status: 404, details: none },
  event_not_found: { status: 404, details: none },
  invite_not_found: { status: 404, details: none },
  key_not_found: { status: 404, details: none },
  limit_not_found: { status: 404, details: none },
  member_not_found: { status: 404, details: none },
  operation_not_found: { status: 404, details: none },
  register_not_found: { status: 404, details: none },
  staff_not_found: { status: 404, details: none },
  store_not_found: { status: 404, details: none },
  webhook_endpoint_not_found: { status: 404, details: none },
  alert_resolved: { status: 409, details: none },
  /** A tenant's placement changed while a new epoch was being added to it: read it again. */
  placement_changed: { status: 409, details: none },
  /** Another change of the alert was saved first: look again. */
  alert_changed: { status: 409, details: none },
  already_approved: { status: 409, details: none },
  already_authorized: { status: 409, details: authorization },
  already_verified: { status: 409, details: none },
  approval_not_required: { status: 409, details: authorization },
  approval_request_closed: { status: 409, details: status },
  approval_request_pending: { status: 409, details: z.object({ request_id: z.string() }).partial() },
  authorization_required: { status: 409, details: authorization },
  card_blocked: { status: 409, details: status },
  card_number_taken: { status: 409, details: none },
  card_replaced: { status: 409, details: z.object({ replaced_by: z.string().nullable() }) },
  code_attempts_exhausted: { status: 409, details: z.object({ attempts_left: z.literal(0) }).partial() },
  code_expired: { status: 409, details: none },
  code_not_sent: { status: 409, details: none },
  email_taken: { status: 409, details: none },
  idempotency_key_in_progress: { status: 409, details: none },
  insufficient_funds: { status: 409, details: z.object({ method, available: z.number().int(), requested: z.number().int() }) },
  last_owner: { status: 409, details: none },
  operation_not_confirmed: { status: 409, details: status },
  operation_not_pending: { status: 409, details: status.partial() },
  operation_not_updatable: { status: 409, details: none },
  rotation_in_progress: { status: 409, details: z.object({ previous_valid_until: z.string() }) },
  sms_code_not_required: { status: 409, details: authorization },
  payload_too_large: { status: 413, details: none },
  balance_out_of_range: {
    status: 422,
    details: z.object({ method: method.nullable().describe("The figure's method (null: a limit counter over all methods)"), limit: z.number().int() }),
  },
  idempotency_key_reused: { status: 422, details: none },
  invalid_code: { status: 422, details: z.object({ attempts_left: z.number().int() }) },
  limit_exceeded: {
    status: 422,
    details: z.object({
      limit_id: z.string(),
      scope: z.enum(["card", "register", "store"]),
      scope_id: z.string(),
      metric: z.string(),
      period: z.string(),
      method: method.nullable().describe("The limit's method (null: a count, or an amount over every method)"),
      bound: z.number().int(),
      current: z.number().int(),
      attempted: z.number().int(),
    }),
  },
  refund_exceeds_remaining: { status: 422, details: z.object({ remaining: z.number().int(), attempted: z.number().int() }) },
  refund_points_spent: { status: 422, details: z.object({ points_short: z.number().int().describe("Points the purchase earned that the member already spent") }) },
  upgrade_required: { status: 426, details: none },
  rate_limited: {
    status: 429,
    details: retry.extend({ budget: z.enum(["sms_per_hour", "sms_signin_per_hour"]).describe("Which of the tenant's hourly SMS budgets was used up (the till's, or sign-in codes')") }).partial(),
  },
  sms_provider_error: { status: 502, details: z.object({ provider_status: z.number().int().nullable() }).partial() },
  /** Every shard is closed to new tenants: a new one cannot be placed until the platform adds a shard. */
  no_open_shard: { status: 503, details: none },
  /** The D1 shard holding this tenant's back office did not answer; tills and balances are not affected. */
  shard_unavailable: { status: 503, details: retry.partial() },
} as const satisfies Record<string, { status: number; details: z.ZodType }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The HTTP status of a code (API.md): the one table, read by the error handler and by an object's stored answers. */
export const statusOf = (code: ErrorCode): number => ERROR_CODES[code].status;

/** `Retry-After` when a refusal's details say when to try again. */
export const retryHeaders = (details: Record<string, unknown>): Record<string, string> =>
  typeof details.retry_after === "number" ? { "retry-after": String(details.retry_after) } : {};
