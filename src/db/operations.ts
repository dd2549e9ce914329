/** Operations in D1: the back office's list, and a purchase's refunds on its page in the console. */
import type { Operation } from "../accounts/operation";
import { decodeCursor, toPage } from "../lib/pagination";
import { isPosition, mergeNewestFirst } from "./newest-first";
import { acrossShards, type TenantShards } from "../shards/tenant-shards";
import { operationField, operationOfRow, OPERATION_ROW, type OperationRowRead } from "./operation-rows";
import { laterOf, overRecords, windowStart } from "./record-tables";

/** The refunds made of a purchase in the tenant's window, newest first (a refund made in a later epoch is on another shard). */
export async function refundsOf(shards: TenantShards, memberId: string, operationId: string, now = Date.now()): Promise<Operation[]> {
  const from = windowStart(shards.retentionDays, now);
  const pages = await acrossShards(shards, (d1) =>
    overRecords(d1, "operations", from, async (tables) => {
      const each = tables.map((table) => `SELECT ${OPERATION_ROW} FROM ${table} WHERE tenant_id = ?1 AND member_id = ?2 AND created_at >= ?4 AND type = 'refund' AND ${operationField("original_operation_id")} = ?3`);
      const rows = await d1.prepare(each.join(" UNION ALL ")).bind(shards.tenantId, memberId, operationId, from).all<OperationRowRead>();
      return rows.results.map((row) => operationOfRow(row));
    }),
  );
  return mergeNewestFirst(pages, (op) => [op.created_at, op.id]);
}

export type OperationsQuery = { cursor?: string; limit: number } & {
  status?: string;
  store_id?: string;
  register_id?: string;
  member_id?: string;
  type?: string;
  created_after?: string;
  created_before?: string;
};

/**
 * The tenant's operations, newest first, by the back office's filters, from its window (`history_retention_days`):
 * each shard's tables give their newest page after the cursor, and the pages merge (one cursor across them all).
 */
export async function operationsPage(shards: TenantShards, query: OperationsQuery, now = Date.now()) {
  const position = decodeCursor(query.cursor, isPosition);
  const from = laterOf(query.created_after && new Date(query.created_after).toISOString(), windowStart(shards.retentionDays, now));
  const where = ["tenant_id = ?1", "created_at >= ?2"];
  const filters: [string, string | undefined][] = [
    ["status", query.status],
    ["store_id", query.store_id],
    ["member_id", query.member_id],
    ["register_id", query.register_id],
    ["type", query.type],
  ];
  const values: unknown[] = [shards.tenantId, from, query.limit + 1];
  for (const [column, value] of filters) if (value) where.push(`${column} = ?${values.push(value)}`);
  if (query.created_before) where.push(`created_at < ?${values.push(new Date(query.created_before).toISOString())}`);
  if (position) where.push(`(created_at < ?${values.push(position[0])} OR (created_at = ?${values.length} AND id < ?${values.push(position[1])}))`);
  const newest = "ORDER BY created_at DESC, id DESC LIMIT ?3";
  const pages = await acrossShards(shards, (d1) =>
    overRecords(d1, "operations", from, async (tables) => {
      const each = tables.map((table) => `SELECT * FROM (SELECT ${OPERATION_ROW} FROM ${table} WHERE ${where.join(" AND ")} ${newest})`);
      return (await d1.prepare(`${each.join(" UNION ALL ")} ${newest}`).bind(...values).all<OperationRowRead>()).results;
    }),
  );
  const rows = mergeNewestFirst(pages, (row) => [row.created_at, row.id]);
  return toPage(rows, query.limit, (row) => operationOfRow(row), (row) => [row.created_at, row.id]);
}
