/** Operations and their journal in D1, for an operation's page in the console. */
import type { Operation } from "../accounts/operation";

/** The refunds made of a purchase, newest first. */
export async function refundsOf(d1: D1Database, tenantId: string, memberId: string, operationId: string): Promise<Operation[]> {
  const rows = await d1
    .prepare("SELECT body FROM operations WHERE tenant_id = ? AND member_id = ? AND type = 'refund' AND body ->> '$.original_operation_id' = ? ORDER BY created_at DESC")
    .bind(tenantId, memberId, operationId)
    .all<{ body: string }>();
  return rows.results.map((row) => JSON.parse(row.body) as Operation);
}

/** What an operation posted to the member's balances. */
export async function journalOf(d1: D1Database, tenantId: string, memberId: string, operationId: string) {
  const rows = await d1
    .prepare("SELECT kind, method, amount, created_at FROM history_entries WHERE tenant_id = ? AND member_id = ? AND operation_id = ? ORDER BY seq")
    .bind(tenantId, memberId, operationId)
    .all<{ kind: string; method: string; amount: number; created_at: string }>();
  return rows.results;
}
