/**
 * A member's history page, newest first: D1's entries (the AccountDO journal shipped through its outbox) and the
 * entries the account has not shipped yet, each entry once (by id). The account is asked first: whatever it has
 * shipped by then is in D1 when D1 is read next, so a read that starts after a confirm answered always sees it.
 */

import { historyEntry, type JournalEntry } from "../accounts/operation";
import { shippedHistory } from "../db/history";
import type { Env } from "../env";
import { acrossShards, tenantShards } from "../shards/tenant-shards";
import { decodeCursor, toPage } from "../lib/pagination";
import { accountOf } from "../objects";

const isSeq = (value: unknown[]): value is [number] => value.length === 1 && Number.isInteger(value[0]);

export async function historyPage(env: Env, tenantId: string, memberId: string, query: { limit: number; cursor?: string }) {
  const before = decodeCursor(query.cursor, isSeq)?.[0] ?? null;
  const account = { tenant_id: tenantId, member_id: memberId };
  const unshipped = await accountOf(env, account).unshippedEntries();
  // Each of the tenant's shards gives the member's entries of its epochs; the sequence orders them all.
  const shards = await tenantShards(env, tenantId);
  const shipped = (await acrossShards(shards, (d1) => shippedHistory(d1, tenantId, memberId, before, query.limit + 1))).flat();
  const entries = new Map<string, JournalEntry>();
  for (const entry of [...shipped, ...unshipped]) if (before === null || entry.seq < before) entries.set(entry.id, entry);
  const newestFirst = [...entries.values()].sort((a, b) => b.seq - a.seq).slice(0, query.limit + 1);
  return toPage(newestFirst, query.limit, historyEntry, (entry) => [entry.seq]);
}
