/**
 * Sending one SMS of a tenant: it takes a place in the tenant's hourly budget (its TenantDO), then goes to the
 * provider; a message the provider refuses gives its place back. Every SMS the product sends comes through here.
 */
import type { TenantRow } from "../db/tenants";
import type { Env } from "../env";
import { chooseSender } from "../sms/choose-sender";
import { DevOutboxSender } from "../db/dev-sms";

import { type Refusal } from "../lib/refusal";
import { tenantObjectOf } from "../objects";

/** Null once sent; the budget's refusal (429 `rate_limited`) when the tenant has used its hour. Throws what the provider throws. */
export async function sendTenantSms(env: Env, tenant: TenantRow, to: string, text: string): Promise<Refusal | null> {
  const countedAt = Date.now();
  const refusal = await askBudget(env, tenant, true, countedAt);
  if (refusal) return refusal;
  try {
    // A test tenant sends no real SMS: its messages stay in the outbox of GET /v1/test/sms.
    await (tenant.livemode ? chooseSender(env) : new DevOutboxSender(env.DB)).send(to, text, tenant.id);
  } catch (error) {
    await tenantObjectOf(env, tenant.id).smsNotSent(countedAt);
    throw error;
  }
  return null;
}

/** The tenant's budget, asked for one SMS: `take` counts it, otherwise only looks. */
function askBudget(env: Env, tenant: TenantRow, take: boolean, at = Date.now()): Promise<Refusal | null> {
  return tenantObjectOf(env, tenant.id).sms(tenant.id, tenant.smsPerHour, take, at);
}

/** Whether the tenant may still send an SMS this hour, counting nothing (a sign-in answer that must not wait for the send). */
export async function smsBudgetLeft(env: Env, tenant: TenantRow): Promise<Refusal | null> {
  return askBudget(env, tenant, false);
}

/** Takes a place in the budget without sending (a sign-in code for a phone nobody enrolled). */
export async function countUnsentSms(env: Env, tenant: TenantRow): Promise<void> {
  await askBudget(env, tenant, true);
}
