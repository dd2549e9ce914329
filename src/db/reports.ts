/** What the day's reconciliation reads from a D1 shard: the operations confirmed in a window, the journal posted in it. */
import type { ConfirmedOperation, JournalRow } from "../reports/daily-report";
import { historyLines } from "./history";
import { operationField, operationOfRow, OPERATION_ROW, type OperationRowRead } from "./operation-rows";
import { overRecords } from "./record-tables";

/** Holds live at most a day (hold_ttl_seconds ≤ 86,400): an operation confirmed in a window was created within a day before it. */
const LONGEST_HOLD_MS = 86_400_000;

export async function operationsConfirmedBetween(d1: D1Database, tenantId: string, start: string, end: string, storeId: string | null): Promise<ConfirmedOperation[]> {
  const createdFrom = new Date(Date.parse(start) - LONGEST_HOLD_MS).toISOString();
  return overRecords(d1, "operations", createdFrom, async (tables) => {
    const each = tables.map(
      (table) => `SELECT ${OPERATION_ROW} FROM ${table}
        WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?4 AND status = 'confirmed'
          AND ${operationField("confirmed_at")} >= ?3 AND ${operationField("confirmed_at")} < ?4 AND (?5 IS NULL OR store_id = ?5)`,
    );
    const rows = await d1.prepare(each.join(" UNION ALL ")).bind(tenantId, createdFrom, start, end, storeId).all<OperationRowRead>();
    return rows.results.map((row) => operationOfRow(row) as ConfirmedOperation);
  });
}

export async function journalBetween(d1: D1Database, tenantId: string, start: string, end: string, storeId: string | null): Promise<JournalRow[]> {
  return overRecords(d1, "history", start, async (tables) => {
    const lines = tables.map((table) => historyLines("h.tenant_id = ?1 AND h.created_at >= ?2 AND h.created_at < ?3 AND (?4 IS NULL OR h.store_id = ?4)", table));
    const rows = await d1.prepare(`SELECT kind, method, amount, store_id FROM (${lines.join(" UNION ALL ")})`).bind(tenantId, start, end, storeId).all<JournalRow>();
    return rows.results;
  });
}

/**
 * Operations D1 still has as pending although their hold ran out before `before`: their account decided their end
 * (confirmed or expired) but its history has not reached D1 yet, so a report would miss it.
 */
export async function pendingPastExpiry(d1: D1Database, tenantId: string, window: { start: string; before: string }, storeId: string | null): Promise<number> {
  const createdFrom = new Date(Date.parse(window.start) - LONGEST_HOLD_MS).toISOString();
  return overRecords(d1, "operations", createdFrom, async (tables) => {
    const each = tables.map(
      (table) => `SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?1 AND status = 'pending' AND created_at >= ?3
        AND ${operationField("expires_at")} >= ?4 AND ${operationField("expires_at")} < ?2 AND (?5 IS NULL OR store_id = ?5)`,
    );
    const row = await d1.prepare(`SELECT SUM(n) AS n FROM (${each.join(" UNION ALL ")})`).bind(tenantId, window.before, createdFrom, window.start, storeId).first<{ n: number }>();
    return row?.n ?? 0;
  });
}
