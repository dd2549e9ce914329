/** What the console's home page reads from D1: holds not yet finished and payments (shards), open alerts and blocked cards (directory). */
import type { Method } from "../accounts/operation";
import { historyLines } from "./history";
import { overRecords } from "./record-tables";
import { operationField, operationOfRow, OPERATION_ROW, type OperationRowRead } from "./operation-rows";

/** Sales still held (pending, not yet expired): how many, and what they hold per method. */
export async function heldNow(d1: D1Database, tenantId: string, now: number): Promise<{ count: number; held: Record<Method, number> }> {
  const from = new Date(now - 86_400_000).toISOString();
  const rows = await overRecords(d1, "operations", from, async (tables) => {
    const each = tables.map((table) => `SELECT ${OPERATION_ROW} FROM ${table} WHERE tenant_id = ?1 AND status = 'pending' AND created_at >= ?2 AND ${operationField("expires_at")} > ?3`);
    return (await d1.prepare(each.join(" UNION ALL ")).bind(tenantId, from, new Date(now).toISOString()).all<OperationRowRead>()).results;
  });
  const held: Record<Method, number> = { credit: 0, cashback: 0, points: 0 };
  for (const row of rows) {
    const op = operationOfRow(row);
    if (row.type === "purchase") for (const p of op.payments ?? []) held[p.method] += p.amount;
    else if (row.type === "manual_deduction" && op.method) held[op.method] += op.amount ?? 0;
  }
  return { count: rows.length, held };
}

export async function openAlertCount(d1: D1Database, tenantId: string): Promise<number> {
  return (await d1.prepare("SELECT COUNT(*) AS n FROM alerts WHERE tenant_id = ? AND status = 'open'").bind(tenantId).first<number>("n")) ?? 0;
}

export async function blockedCardCount(d1: D1Database, tenantId: string): Promise<number> {
  return (await d1.prepare("SELECT COUNT(*) AS n FROM cards WHERE tenant_id = ? AND status = 'blocked'").bind(tenantId).first<number>("n")) ?? 0;
}

/** Per UTC hour since `since` ("2026-12-01T10"): what members paid per method (a shard's part). */
export async function paidByHour(d1: D1Database, tenantId: string, since: string) {
  return overRecords(d1, "history", `${since}:00:00.000Z`, async (tables) => {
    const lines = tables.map((table) => historyLines("h.tenant_id = ?1 AND h.created_at >= ?2", table)).join(" UNION ALL ");
    const rows = await d1
      .prepare(`SELECT substr(created_at, 1, 13) AS hour, method, SUM(-amount) AS total FROM (${lines}) WHERE kind = 'payment' GROUP BY hour, method`)
      .bind(tenantId, since)
      .all<{ hour: string; method: Method; total: number }>();
    return rows.results;
  });
}

/** Per UTC hour since `since`: how many alerts were raised (the directory's). */
export async function alertsByHour(d1: D1Database, tenantId: string, since: string) {
  const rows = await d1.prepare("SELECT substr(created_at, 1, 13) AS hour, COUNT(*) AS total FROM alerts WHERE tenant_id = ? AND created_at >= ? GROUP BY hour").bind(tenantId, since).all<{ hour: string; total: number }>();
  return rows.results;
}
