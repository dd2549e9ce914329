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
