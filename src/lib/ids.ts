import { base32 } from "./encoding";

/** Random part of an id: 16 base32 characters, 80 bits. */
export const ID_BODY_LENGTH = 16;
const ID_BODY = /^[0-9a-hjkmnp-tv-z]{16}$/;

export function randomIdBody(): string {
  return base32(crypto.getRandomValues(new Uint8Array(10)));
}

export type IdPrefix = "ten" | "sto" | "reg" | "mem" | "op" | "apr" | "lim" | "alt" | "whe" | "key" | "ent";

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

/** The member whose account holds an operation, or null when the id is not an operation id at all. */
export function memberOfOperation(operationIdValue: string): string | null {
  const match = /^op_([0-9a-hjkmnp-tv-z]{16})[0-9a-hjkmnp-tv-z]{16}$/.exec(operationIdValue);
  return match ? `mem_${match[1]}` : null;
}
