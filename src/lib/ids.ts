import { base32 } from "./encoding";

/** Random part of an id: 16 base32 characters, 80 bits. */
export const ID_BODY_LENGTH = 16;
const ID_BODY = /^[0-9a-hjkmnp-tv-z]{16}$/;

/** Random bytes drawn 4 KiB at a time from the CSPRNG and handed out 10 at a time (each byte used once). */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

export function randomIdBody(): string {
  if (poolAt + 10 > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  poolAt += 10;
  return base32(pool.subarray(poolAt - 10, poolAt));
}

export type IdPrefix = "ten" | "sto" | "reg" | "mem" | "op" | "apr" | "lim" | "alt" | "whe" | "ent" | "aud" | "stf" | "evt" | "ses" | "sms";

/**
 * How long every Idempotency-Key is kept — back-office records in D1, operation answers in the accounts, key claims
 * at the stores: 3 days, more than API.md's 24 hours and the longest hold (86,400 s).
 */
export const KEY_RETENTION_MS = 3 * 24 * 3600 * 1000;
/** The objects drop keys past retention at most this often, inside a transaction that writes anyway. */
export const KEY_PURGE_EVERY_MS = 3600 * 1000;

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomIdBody()}`;
}

export function isId(prefix: IdPrefix, value: string): boolean {
  return value.startsWith(`${prefix}_`) && ID_BODY.test(value.slice(prefix.length + 1));
}

/**
 * An operation id is `op_` + the member id's random part + 16 characters of SHA-256(tenant, register,
 * idempotency key). It stays opaque to clients, a retry derives the same id (the AccountDO dedupes on it),
 * and any route holding only the id finds the member's account without a lookup.
 */
export async function operationId(memberId: string, tenantId: string, registerId: string, key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${tenantId}\n${registerId}\n${key}`));
  return `op_${memberId.slice(4)}${base32(new Uint8Array(digest).slice(0, 10))}`;
}

/** The part of an operation id derived from tenant, register and Idempotency-Key: the same for every member's card. */
export function requestKeyOf(operationIdValue: string): string {
  return operationIdValue.slice(-16);
}

/** The member whose account holds an operation, or null when the id is not an operation id at all. */
export function memberOfOperation(operationIdValue: string): string | null {
  const match = /^op_([0-9a-hjkmnp-tv-z]{16})[0-9a-hjkmnp-tv-z]{16}$/.exec(operationIdValue);
  return match ? `mem_${match[1]}` : null;
}

// ---- keys derived from other ids (the same inputs give the same key, so a retried write finds its first one) ----

/** The event an operation's step raises; a confirm's id has no suffix of its own (ids already stored say so). */
export const operationEventId = (operationId: string, step: "created" | "confirmed" | "cancelled" | "expired"): string =>
  step === "confirmed" ? `evt_${operationId.slice(3)}` : `evt_${operationId.slice(3)}_${step}`;

/** The event of a member's answer to an approval request. */
export const answeredEventId = (requestId: string): string => `evt_${requestId}_answered`;

/** The event of a raised alert. */
export const alertEventId = (alertId: string): string => `evt_${alertId.slice(4)}`;

/** The audit entry of a change made to an operation by hand: a manual accrual or deduction confirmed, a hold cancelled. */
export const operationAuditId = (operationId: string, change: "confirmed" | "cancelled"): string =>
  change === "confirmed" ? `aud_${operationId}` : `aud_cancel_${operationId}`;

/** A StoreDO's note that a refund's share was given back (one per refund). */
export const refundDecisionKey = (refundId: string): string => `refund:${refundId}`;

/** An account's outbox message for a StoreDO: one per store, operation and action. */
export const storeMessageRef = (storeId: string, operationId: string, action: string): string => `${storeId}:${operationId}:${action}`;
