/**
 * Sending one SMS of a tenant: it takes a place in one of the tenant's hourly budgets (its TenantDO) — a sign-in
 * code in `sms_signin_per_hour`, every other SMS in `sms_per_hour` — then goes to the provider; a message the
 * provider refuses gives its place back. Every SMS the product sends comes through here.
 */
import type { TenantRow } from "../db/tenants";
import type { Env } from "../env";
import { chooseSender } from "../sms/choose-sender";
import { DevOutboxSender } from "../db/dev-sms";
import type { SmsBudget } from "../sms/sms-budget";
import { type Refusal } from "../lib/refusal";
import { ApiError } from "../lib/errors";
import { SmsProviderError } from "../sms/sms-sender";
import { tenantObjectOf } from "../objects";

/** Null once sent; the budget's refusal (429 `rate_limited`) when the tenant has used its hour. Throws what the provider throws. */
export async function sendTenantSms(env: Env, tenant: TenantRow, to: string, text: string, budget: SmsBudget = "sms_per_hour"): Promise<Refusal | null> {
  const countedAt = Date.now();
  const refusal = await askBudget(env, tenant, budget, true, countedAt);
  if (refusal) return refusal;
  try {
    // A test tenant sends no real SMS: its messages stay in the outbox of GET /v1/test/sms.
    await (tenant.livemode ? chooseSender(env) : new DevOutboxSender(env.DB)).send(to, text, tenant.id);
  } catch (error) {
    await tenantObjectOf(env, tenant.id).smsNotSent(budget, countedAt);
    throw error;
  }
  return null;
}

const perHourOf = (tenant: TenantRow, budget: SmsBudget) => (budget === "sms_signin_per_hour" ? tenant.smsSigninPerHour : tenant.smsPerHour);

/** The tenant's budget, asked for one SMS: `take` counts it, otherwise only looks. */
function askBudget(env: Env, tenant: TenantRow, budget: SmsBudget, take: boolean, at = Date.now()): Promise<Refusal | null> {
  return tenantObjectOf(env, tenant.id).sms(tenant.id, budget, perHourOf(tenant, budget), take, at);
}

/** Whether the tenant may still send a sign-in code this hour, counting nothing (an answer that must not wait for the send). */
export async function signinBudgetLeft(env: Env, tenant: TenantRow): Promise<Refusal | null> {
  return askBudget(env, tenant, "sms_signin_per_hour", false);
}

/** Takes a place in the sign-in budget without sending (a code for a phone nobody enrolled). */
export async function countUnsentSigninSms(env: Env, tenant: TenantRow): Promise<void> {
  await askBudget(env, tenant, "sms_signin_per_hour", true);
}

/** What a failed send answers: a provider's refusal is 502 `sms_provider_error` (nothing changed, try again); anything else, itself. */
export function smsFailure(error: unknown): unknown {
  return error instanceof SmsProviderError
    ? new ApiError("sms_provider_error", "The SMS could not be sent; nothing changed, try again", { provider_status: error.providerStatus })
    : error;
}
