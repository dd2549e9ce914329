/**
 * The route's side of the StoreDO: claim a create's Idempotency-Key there and count the operation against register and
 * store limits (only when a limit there looks at it) before the account holds it, in one call; give the count back
 * when the account then refuses.
 */
import type { Env } from "../env";
import type { KeyClaim, StoreRef } from "../stores/store-do";
import { appliesTo, contribution } from "./evaluate";
import type { Limit, OperationFacts } from "./limit";
import { type Refusal } from "../lib/refusal";
import { storeOf } from "../objects";

/**
 * Claims a create's Idempotency-Key at its store and, when a register or store limit looks at the operation (`facts`
 * null: none can), counts it there in the same call.
 */
export async function claimAtStore(
  env: Env,
  store: StoreRef,
  claim: KeyClaim,
  facts: OperationFacts | null,
  limits: Limit[],
  timeZone: string,
  expiresAt: number,
): Promise<{ refusal: Refusal | null; reserved: boolean }> {
  const relevant = facts ? relevantLimits(limits, facts) : [];
  if (!facts || relevant.length === 0) return { refusal: await storeOf(env, store).claimKey(store, claim), reserved: false };
  const { refusal } = await storeOf(env, store).reserve(store, { facts, limits: relevant, time_zone: timeZone, expires_at: expiresAt, claim }, claim.at);
  return { refusal, reserved: refusal === null };
}

const relevantLimits = (limits: Limit[], facts: OperationFacts) =>
  limits.filter((limit) => limit.scope !== "card" && appliesTo(limit, facts) && contribution(limit, facts) > 0);

export async function reserveAtStore(
  env: Env,
  store: StoreRef,
  facts: OperationFacts,
  limits: Limit[],
  timeZone: string,
  expiresAt: number,
  replace = false,
): Promise<{ refusal: Refusal | null; reserved: boolean }> {
  const relevant = relevantLimits(limits, facts);
  if (relevant.length === 0) return { refusal: null, reserved: false };
  const { refusal } = await storeOf(env, store).reserve(store, { facts, limits: relevant, time_zone: timeZone, expires_at: expiresAt, replace });
  return { refusal, reserved: refusal === null };
}
