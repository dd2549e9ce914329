/**
 * A member's history page, newest first, from the member's account, which holds its whole journal: complete the
 * moment a confirm answers, and on no shard (D1's history rows serve the tenant's reports and day archives).
 */

import { historyEntry } from "../accounts/operation";
import type { Env } from "../env";
import { decodeCursor, toPage } from "../lib/pagination";
import { accountOf } from "../objects";

const isSeq = (value: unknown[]): value is [number] => value.length === 1 && Number.isInteger(value[0]);

export async function historyPage(env: Env, tenantId: string, memberId: string, query: { limit: number; cursor?: string }) {
  const before = decodeCursor(query.cursor, isSeq)?.[0] ?? null;
  const entries = await accountOf(env, { tenant_id: tenantId, member_id: memberId }).history(before, query.limit + 1);
  return toPage(entries, query.limit, historyEntry, (entry) => [entry.seq]);
}
