/**
 * The route's side of register and store limits: count the operation at its StoreDO before the account holds it
 * (only when a limit there looks at it), and give the count back when the account then refuses.
 */
import type { Refusal } from "../accounts/ledger";
import type { Env } from "../env";
import type { StoreRef } from "../stores/store-do";
import { appliesTo, contribution } from "./evaluate";
import type { Limit, OperationFacts } from "./limit";

export function storeOf(env: Env, store: StoreRef) {
  return env.STORES.get(env.STORES.idFromName(`${store.tenant_id}:${store.store_id}`));
}

export async function reserveAtStore(
  env: Env,
  store: StoreRef,
  facts: OperationFacts,
  limits: Limit[],
  timeZone: string,
  expiresAt: number,
  replace = false,
): Promise<{ refusal: Refusal | null; reserved: boolean }> {
  const relevant = limits.filter((limit) => limit.scope !== "card" && appliesTo(limit, facts) && contribution(limit, facts) > 0);
  if (relevant.length === 0) return { refusal: null, reserved: false };
  const { refusal } = await storeOf(env, store).reserve(store, { facts, limits: relevant, time_zone: timeZone, expires_at: expiresAt, replace });
  return { refusal, reserved: refusal === null };
}
