/**
 * Creating an operation at a till, a saga over two objects:
 * 1. the StoreDO claims the Idempotency-Key for the store and counts the register and store limits;
 * 2. the AccountDO decides (funds, card limits, its own key) and holds;
 * and its compensation: when the account refuses after the store counted, the store gives the count back.
 * A retry with the same key reaches the same operation id, so each step is harmless the second time.
 */

import { operationEffects } from "../accounts/ledger";
import type { Operation, OperationRequest } from "../accounts/operation";
import type { Principal } from "../auth/principal";
import { cardOwner } from "../db/members";
import type { Env } from "../env";
import { sha256Hex } from "../lib/crypto";
import { notFound, refusalError } from "../lib/errors";
import { memberOfOperation, operationId, requestKeyOf } from "../lib/ids";
import type { Result } from "../lib/outcome";
import { isRefusal } from "../lib/refusal";
import type { OperationFacts } from "../limits/limit";
import { claimAtStore } from "../limits/store-limits";
import { rulesFor } from "./operation-policy";
import { accountOf, storeOf } from "../objects";

export async function createOperation(env: Env, till: Extract<Principal, { kind: "terminal" }>, request: OperationRequest, idempotencyKey: string): Promise<Result<Operation>> {
  const memberId = request.type === "refund" ? memberOfOperation(request.original_operation_id) : await cardOwner(env.DB, till.tenantId, request.card);
  if (!memberId) throw request.type === "refund" ? notFound("operation_not_found", "Operation") : notFound("card_not_found", "Card");
  const [id, fingerprint, { policy, timeZone, limits, check }] = await Promise.all([
    operationId(memberId, till.tenantId, till.registerId, idempotencyKey),
    sha256Hex(JSON.stringify(request)),
    rulesFor(env, till.tenantId, till.storeId),
  ]);
  const now = Date.now();
  const store = { tenant_id: till.tenantId, store_id: till.storeId };
  // Register and store limits are counted at the StoreDO first (a refund only gives back, on confirm), in the same
  // call that claims the key there: the account dedupes a key for its own member, the store sees every card.
  let facts: OperationFacts | null = null;
  if (request.type !== "refund") {
    const effects = operationEffects(request, policy);
    if (!isRefusal(effects)) facts = { id, type: request.type, card: request.card, register_id: till.registerId, store_id: till.storeId, ...effects };
  }
  const claim = { key: requestKeyOf(id), operation_id: id, at: now };
  const reserved = await claimAtStore(env, store, claim, facts, limits, timeZone, now + policy.hold_ttl_seconds * 1000);
  if (reserved.refusal) throw refusalError(reserved.refusal);
  check.store_reserved = reserved.reserved;
  const account = { tenant_id: till.tenantId, member_id: memberId };
  const outcome = await accountOf(env, account).createOperation(account, {
    id,
    fingerprint,
    member_id: memberId,
    store_id: till.storeId,
    register_id: till.registerId,
    request,
    policy,
    now,
    limits: check,
  });
  if (check.store_reserved && isRefusal(outcome) && outcome.code !== "idempotency_key_reused") {
    // The account refused after the store counted: give the count back.
    await storeOf(env, store).release(store, id);
  }
  return outcome;
}
