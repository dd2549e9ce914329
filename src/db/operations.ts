/** Operations in D1: the back office's list, and a purchase's refunds on its page in the console. */
import { eq, gte, lt } from "drizzle-orm";
import type { Operation } from "../accounts/operation";
import { mergeNewestFirst, newestFirst } from "./newest-first";
import { acrossShards, type TenantShards } from "../shards/tenant-shards";
import { operationField, operationOfRow, OPERATION_ROW, type OperationRowRead } from "./operation-rows";
import { operations } from "./schema";

/** The refunds made of a purchase, newest first (a refund made in a later epoch is on another shard). */
export async function refundsOf(shards: TenantShards, memberId: string, operationId: string): Promise<Operation[]> {
  const pages = await acrossShards(shards, async (d1) => {
    const rows = await d1
      .prepare(`SELECT ${OPERATION_ROW} FROM operations WHERE tenant_id = ? AND member_id = ? AND type = 'refund' AND ${operationField("original_operation_id")} = ?`)
      .bind(shards.tenantId, memberId, operationId)
      .all<OperationRowRead>();
    return rows.results.map((row) => operationOfRow(row));
  });
  return mergeNewestFirst(pages, (op) => [op.created_at, op.id]);
}

/** The tenant's operations, newest first, by the back office's filters. */
export function operationsPage(
  shards: TenantShards,
  query: { cursor?: string; limit: number } & { status?: string; store_id?: string; register_id?: string; member_id?: string; type?: string; created_after?: string; created_before?: string },
) {
  return newestFirst(shards, operations, shards.tenantId, query, (row) =>
      operationOfRow({ id: row.id, type: row.type as Operation["type"], member_id: row.memberId, store_id: row.storeId ?? "", register_id: row.registerId ?? "", created_at: row.createdAt, body: row.body, moment: row.moment }), [
    query.status ? eq(operations.status, query.status) : undefined,
    query.store_id ? eq(operations.storeId, query.store_id) : undefined,
    query.member_id ? eq(operations.memberId, query.member_id) : undefined,
    query.register_id ? eq(operations.registerId, query.register_id) : undefined,
    query.type ? eq(operations.type, query.type) : undefined,
    query.created_after ? gte(operations.createdAt, new Date(query.created_after).toISOString()) : undefined,
    query.created_before ? lt(operations.createdAt, new Date(query.created_before).toISOString()) : undefined,
  ]);
}
