/** Where an operation lives and what it is decided under: its account (from the id), and the tenant's and store's settings. */
import type { LimitCheck, OperationScope } from "../accounts/account-ref";
import type { OperationPolicy } from "../accounts/ledger";
import type { Principal } from "../auth/principal";
import { activeLimits } from "../db/limits";
import { findStore } from "../db/stores";
import { loadTenant, settingsOf } from "../db/tenants";
import type { Env } from "../env";
import { notFound } from "../lib/errors";
import { memberOfOperation } from "../lib/ids";
import { minorDigits } from "../lib/money";
import type { Limit } from "../limits/limit";

/** The account holding an operation, with what the caller may see of it; 404 for an id of no account. */
export function locateOperation(principal: Extract<Principal, { kind: "terminal" | "secret" }>, id: string) {
  const memberId = memberOfOperation(id);
  if (!memberId) throw notFound("operation_not_found", "Operation");
  const account = { tenant_id: principal.tenantId, member_id: memberId };
  const scope: OperationScope = principal.kind === "terminal" ? { register_id: principal.registerId } : {};
  return { account, scope };
}

/** The settings an operation is decided under (the tenant's, with the register's store flag), and the tenant's limits. */
export async function rulesFor(env: Env, tenantId: string, storeId: string): Promise<{ policy: OperationPolicy; timeZone: string; limits: Limit[]; check: LimitCheck }> {
  const [tenant, store, limits] = await Promise.all([loadTenant(env.DB, tenantId), findStore(env.DB, tenantId, storeId), activeLimits(env.DB, tenantId)]);
  const policy = {
    ...settingsOf(tenant),
    minor_digits: minorDigits(tenant.currency),
    sms_confirm_points_deduction: store?.smsConfirmPointsDeduction ?? false,
  };
  // The account checks the card limits itself; the StoreDO counts the register and store limits first.
  const check: LimitCheck = { card: limits.filter((l) => l.scope === "card"), time_zone: tenant.timezone, store_reserved: false };
  return { policy, timeZone: tenant.timezone, limits, check };
}
