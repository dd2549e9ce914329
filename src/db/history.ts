/** A member's history in D1: the journal entries the accounts shipped, newest first by their sequence. */
import { and, desc, eq, lt } from "drizzle-orm";
import type { JournalEntry, Method } from "../accounts/operation";
import { database } from "./client";
import { historyEntries } from "./schema";

type HistoryRow = typeof historyEntries.$inferSelect;

/** A D1 history row as the journal entry it was shipped from. */
function journalEntryOf(row: HistoryRow): JournalEntry {
  return {
    id: row.id,
    seq: row.seq,
    operation_id: row.operationId,
    kind: row.kind,
    method: row.method as Method,
    amount: row.amount,
    balance_after: row.balanceAfter,
    store_id: row.storeId,
    register_id: row.registerId,
    created_at: row.createdAt,
  };
}

/** Up to `limit` entries of a member, newest first, older than `beforeSeq` when given. */
export async function shippedHistory(d1: D1Database, tenantId: string, memberId: string, beforeSeq: number | null, limit: number): Promise<JournalEntry[]> {
  const rows = await database(d1)
    .select()
    .from(historyEntries)
    .where(and(eq(historyEntries.tenantId, tenantId), eq(historyEntries.memberId, memberId), beforeSeq !== null ? lt(historyEntries.seq, beforeSeq) : undefined))
    .orderBy(desc(historyEntries.seq))
    .limit(limit);
  return rows.map(journalEntryOf);
}
