/**
 * Changing a pending purchase (PATCH), a saga over two objects: the StoreDO counts the changed purchase in place of
 * the old one, then the AccountDO re-decides and re-holds; its compensation, when the account refuses the change
 * after the store counted it, is to count the old purchase again.
 */

import { operationEffects } from "../accounts/ledger";
import type { Amounts, Operation, PurchaseChange } from "../accounts/operation";
import type { Principal } from "../auth/principal";
import type { Env } from "../env";
import { refusalError } from "../lib/errors";
import { valueOf, type Result } from "../lib/outcome";
import { isRefusal } from "../lib/refusal";
import { reserveAtStore } from "../limits/store-limits";
import { locateOperation, rulesFor } from "./operation-policy";
import { accountOf } from "../objects";

const holdsOf = (operation: Operation): Amounts => Object.fromEntries((operation.payments ?? []).map((p) => [p.method, p.amount]));

export async function changePurchase(env: Env, till: Extract<Principal, { kind: "terminal" }>, id: string, change: PurchaseChange): Promise<Result<Operation>> {
  const { account, scope } = locateOperation(till, id);
  const { policy, timeZone, limits, check } = await rulesFor(env, till.tenantId, till.storeId);
  const stub = accountOf(env, account);
  const store = { tenant_id: till.tenantId, store_id: till.storeId };
  const before = await stub.getOperation(id, scope);
  // Only a pending purchase can change; the account says why another cannot.
  if (isRefusal(before)) return stub.updateOperation(id, scope, change, policy, check);
  const old = valueOf(before);
  if (old.type !== "purchase" || old.status !== "pending") return stub.updateOperation(id, scope, change, policy, check);
  const changed = {
    type: "purchase" as const,
    card: old.card!,
    cheque: change.cheque ?? old.cheque!,
    payments: change.payments ?? old.payments ?? [],
    accrue_points: change.accrue_points ?? old.accrue_points ?? false,
  };
  const effects = operationEffects(changed, policy);
  if (isRefusal(effects)) return stub.updateOperation(id, scope, change, policy, check);
  const facts = { id, type: old.type, card: old.card, register_id: old.register_id, store_id: old.store_id, ...effects };
  const expiresAt = Date.parse(old.expires_at);
  const reserved = await reserveAtStore(env, store, facts, limits, timeZone, expiresAt, true);
  if (reserved.refusal) throw refusalError(reserved.refusal);
  check.store_reserved = reserved.reserved;
  const outcome = await stub.updateOperation(id, scope, change, policy, check);
  if (reserved.reserved && isRefusal(outcome)) {
    const oldFacts = { ...facts, holds: holdsOf(old), credits: old.accrual?.points ? { points: old.accrual.points } : {} };
    await reserveAtStore(env, store, oldFacts, limits, timeZone, expiresAt, true);
  }
  return outcome;
}
