/**
 * POST /v1/operations/{id}/confirm. Sent with an Idempotency-Key, the register's key is first claimed at its store
 * for this operation's confirm (a key that went to another request — another operation's confirm, a cancel, an
 * approval request or an SMS code — is `idempotency_key_reused`), then the account confirms and keeps the first
 * answer in the operation's own row, so a repeat gets it again. Nothing of the key is written to D1.
 */
import type { Principal } from "../auth/principal";
import type { Env } from "../env";
import { memberOfOperation, operationId, requestKeyOf } from "../lib/ids";
import type { Result } from "../lib/outcome";
import type { Refusal } from "../lib/refusal";
import type { Who } from "../audit/audit-entry";
import type { Operation } from "../accounts/operation";
import type { KeyedRequest } from "../accounts/account-ref";
import { accountOf, storeOf } from "../objects";
import { locateOperation } from "./operation-policy";

export async function confirmAtTill(
  env: Env,
  till: Extract<Principal, { kind: "terminal" }>,
  id: string,
  keyed: KeyedRequest | null,
  by: Who | null,
  now = Date.now(),
): Promise<Result<Operation>> {
  const { account, scope } = locateOperation(till, id);
  const reused = await tillKeyReused(env, till, id, keyed?.key ?? null, "confirm", now);
  if (reused) return reused;
  return accountOf(env, account).confirm(id, scope, now, by, keyed);
}

/**
 * A till's keyed request on an existing operation (`action`: confirm, cancel, approval-requests, sms-codes, …): the
 * register's key is claimed at its store for that operation and action, so a key that went to another of them is
 * `idempotency_key_reused`; the same request again goes on. The claim is the same digest of (tenant, register, key)
 * as a create's, in a namespace of its own. Null: go on (also without a key, for the back office, or for an id that
 * names no operation, which the route refuses itself).
 */
export async function tillKeyReused(env: Env, principal: Principal, id: string, key: string | null, action: string, now = Date.now()): Promise<Refusal | null> {
  const memberId = memberOfOperation(id);
  if (!key || principal.kind !== "terminal" || !memberId) return null;
  const store = { tenant_id: principal.tenantId, store_id: principal.storeId };
  const digest = requestKeyOf(await operationId(memberId, principal.tenantId, principal.registerId, key));
  return storeOf(env, store).claimKey(store, { key: `request:${digest}`, operation_id: `${id}/${action}`, at: now });
}
