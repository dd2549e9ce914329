import type { Env } from "../env";
import type { AccountRef } from "./account-do";

/** The one AccountDO of a member of a tenant; the tenant always comes from the caller's credential. */
export function accountOf(env: Env, account: AccountRef) {
  return env.ACCOUNTS.get(env.ACCOUNTS.idFromName(`${account.tenant_id}:${account.member_id}`));
}
