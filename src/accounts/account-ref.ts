/** Which account an AccountDO is, and its address: one object per member of a tenant. */
import type { Env } from "../env";
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

export interface MemberCard extends Card {
  member_id: string;
}

/** The limits an operation is checked against in the account (card scope), and whether its StoreDO counted the others. */
export interface LimitCheck {
  card: Limit[];
  time_zone: string;
  store_reserved: boolean;
}

/** The one AccountDO of a member of a tenant; the tenant always comes from the caller's credential. */
export function accountOf(env: Env, account: AccountRef) {
  return env.ACCOUNTS.get(env.ACCOUNTS.idFromName(`${account.tenant_id}:${account.member_id}`));
}
