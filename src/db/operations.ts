/** Operations and their journal in D1: the back office's list, and an operation's page in the console. */
import { eq, gte, lt } from "drizzle-orm";
import type { Operation } from "../accounts/operation";
import { mergeNewestFirst, newestFirst } from "./newest-first";
import { acrossShards, type TenantShards } from "../shards/tenant-shards";
import { historyLines } from "./history";
import { operations } from "./schema";

/** The refunds made of a purchase, newest first (a refund made in a later epoch is on another shard). */
export async function refundsOf(shards: TenantShards, memberId: string, operationId: string): Promise<Operation[]> {
  const pages = await acrossShards(shards, async (d1) => {
    const rows = await d1
      .prepare("SELECT body FROM operations WHERE tenant_id = ? AND member_id = ? AND type = 'refund' AND body ->> '$.original_operation_id' = ?")
      .bind(shards.tenantId, memberId, operationId)
      .all<{ body: string }>();
    return rows.results.map((row) => JSON.parse(row.body) as Operation);
  });
  return mergeNewestFirst(pages, (op) => [op.created_at, op.id]);
}

/** What an operation posted to the member's balances, in the order it posted. */
export async function journalOf(shards: TenantShards, memberId: string, operationId: string) {
  const pages = await acrossShards(shards, async (d1) => {
    const rows = await d1
      .prepare(`SELECT seq, kind, method, amount, created_at FROM (${historyLines("h.tenant_id = ?1 AND h.member_id = ?2 AND h.operation_id = ?3")})`)
      .bind(shards.tenantId, memberId, operationId)
      .all<{ seq: number; kind: string; method: string; amount: number; created_at: string }>();
    return rows.results;
  });
  return pages
    .flat()
    .sort((a, b) => a.seq - b.seq)
    .map(({ seq: _seq, ...entry }) => entry);
}

/** The tenant's operations, newest first, by the back office's filters. */
export function operationsPage(
  shards: TenantShards,
  query: { cursor?: string; limit: number } & { status?: string; store_id?: string; register_id?: string; member_id?: string; type?: string; created_after?: string; created_before?: string },
) {
  return newestFirst(shards, operations, shards.tenantId, query, (row) => JSON.parse(row.body) as Operation, [
    query.status ? eq(operations.status, query.status) : undefined,
    query.store_id ? eq(operations.storeId, query.store_id) : undefined,
    query.member_id ? eq(operations.memberId, query.member_id) : undefined,
    query.register_id ? eq(operations.registerId, query.register_id) : undefined,
    query.type ? eq(operations.type, query.type) : undefined,
    query.created_after ? gte(operations.createdAt, new Date(query.created_after).toISOString()) : undefined,
    query.created_before ? lt(operations.createdAt, new Date(query.created_before).toISOString()) : undefined,
  ]);
}
