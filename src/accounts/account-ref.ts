/** Which account an AccountDO is (its address is in src/objects.ts: one object per member of a tenant). */
import type { Limit } from "../limits/limit";
import type { Card } from "./operation";

/** Which account an object is: the tenant from the caller's credential and the member. */
export interface AccountRef {
  tenant_id: string;
  member_id: string;
}

/** Limits what a caller may see: a terminal key sees only its own register's operations. */
export interface OperationScope {
  register_id?: string;
}

/** A request's Idempotency-Key and the fingerprint of the request, for an object that keeps the key's first answer. */
export interface KeyedRequest {
  key: string;
  fingerprint: string;
}

export interface MemberCard extends Card {
  member_id: string;
}

/** The limits an operation is checked against in the account (card scope), and whether its StoreDO counted the others. */
export interface LimitCheck {
  card: Limit[];
  time_zone: string;
  store_reserved: boolean;
}

