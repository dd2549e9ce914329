/**
 * Members as the back office sees them: the D1 record with the balances and cards their account holds. One shape for
 * the API (`GET /v1/members`, `GET /v1/members/{id}`) and the console's members pages.
 */

import { membersPage, presentMember, type MemberRow } from "../db/members";
import type { Env } from "../env";
import { accountOf } from "../objects";

export async function memberWithAccount(env: Env, tenantId: string, row: MemberRow) {
  const account = { tenant_id: tenantId, member_id: row.id };
  return { ...presentMember(row), ...(await accountOf(env, account).summary(account)) };
}

export type MemberWithAccount = Awaited<ReturnType<typeof memberWithAccount>>;

/** A page of the tenant's members, newest first, matching `query` when there is one (phone as typed, card, name). */
export async function findMembers(env: Env, tenantId: string, page: { limit: number; cursor?: string; query?: string }) {
  const rows = await membersPage(env.DB, tenantId, page);
  return { data: await Promise.all(rows.data.map((row) => memberWithAccount(env, tenantId, row))), next_cursor: rows.next_cursor };
}
