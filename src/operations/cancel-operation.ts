/**
 * Cancelling a pending operation, at the till or from the back office. The account releases the holds and its card
 * counters in its own transaction; the register and store counters live in the store's StoreDO, so the use case
 * gives their places back before it answers — the next sale at that till must not be refused by a hold just
 * cancelled. The account's outbox still tells the store later: a release is harmless the second time.
 */
import type { Operation } from "../accounts/operation";
import type { Who } from "../audit/audit-entry";
import { activeLimits } from "../db/limits";
import type { Env } from "../env";
import { isRefusal } from "../lib/refusal";
import { valueOf, type Result } from "../lib/outcome";
import { accountOf, storeOf } from "../objects";
import type { AccountRef, OperationScope } from "../accounts/account-ref";

export async function cancelOperation(env: Env, account: AccountRef, id: string, scope: OperationScope, by: Who | null): Promise<Result<Operation>> {
  const result = await accountOf(env, account).cancel(id, scope, Date.now(), by);
  if (isRefusal(result)) return result;
  const operation = valueOf(result);
  // Only a tenant with register or store limits has counted anything at a store.
  const counted = (await activeLimits(env.DB, account.tenant_id)).some((limit) => limit.scope !== "card");
  // A hold that expired before the cancel came answers as expired: its places go back now too, not when the
  // account's shipment of the expiry reaches the store (a release is harmless the second time).
  if ((operation.status === "cancelled" || operation.status === "expired") && counted) {
    const store = { tenant_id: account.tenant_id, store_id: operation.store_id };
    await storeOf(env, store).release(store, operation.id);
  }
  return result;
}
