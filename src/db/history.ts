/**
 * A member's history on a D1 shard: one row per settlement, its first entry in the columns and the rest in
 * `more_entries` (migration 0021), read back as the journal entries the accounts shipped.
 */
import type { JournalEntry, Method } from "../accounts/operation";

/**
 * The journal entries of the history rows `where` picks (over `h`): each row's first entry, and those in its
 * `more_entries`. `where` may use numbered parameters (`?1`), bound once for both halves.
 */
export const historyLines = (where: string) => `
  SELECT h.id, h.member_id, h.seq, h.operation_id, h.kind, h.method, h.amount, h.balance_after, h.store_id, h.register_id, h.created_at
  FROM history_entries h WHERE ${where}
  UNION ALL
  SELECT e.value ->> '$.id', h.member_id, e.value ->> '$.seq', h.operation_id, e.value ->> '$.kind', e.value ->> '$.method',
    e.value ->> '$.amount', e.value ->> '$.balance_after', h.store_id, h.register_id, h.created_at
  FROM history_entries h, json_each(h.more_entries) e WHERE ${where}`;

/** One entry after a settlement's first, as `more_entries` keeps it. */
export type MoreEntry = Pick<JournalEntry, "id" | "seq" | "kind" | "method" | "amount" | "balance_after">;

/** A member's shipped entries as history rows: a settlement's entries (one operation, one time) share a row. */
export function historyRows(entries: (JournalEntry & { member_id: string | null })[]) {
  const rows: (JournalEntry & { member_id: string | null; more: MoreEntry[] | null })[] = [];
  for (const entry of [...entries].sort((a, b) => (a.member_id ?? "").localeCompare(b.member_id ?? "") || a.seq - b.seq)) {
    const last = rows[rows.length - 1];
    const lastSeq = last ? last.seq + (last.more?.length ?? 0) : -1;
    // The same entry twice in one batch (an account's shipment sent again while the first waited): once.
    if (last && last.member_id === entry.member_id && entry.seq <= lastSeq) continue;
    const sameSettlement = last && last.member_id === entry.member_id && last.operation_id === entry.operation_id && last.created_at === entry.created_at && lastSeq + 1 === entry.seq;
    if (sameSettlement) (last.more ??= []).push({ id: entry.id, seq: entry.seq, kind: entry.kind, method: entry.method, amount: entry.amount, balance_after: entry.balance_after });
    else rows.push({ ...entry, more: null });
  }
  return rows;
}

interface HistoryLine {
  id: string;
  seq: number;
  operation_id: string;
  kind: JournalEntry["kind"];
  method: string;
  amount: number;
  balance_after: number;
  store_id: string | null;
  register_id: string | null;
  created_at: string;
}

/** A history line as the journal entry it was shipped from. */
const journalEntryOf = (line: HistoryLine): JournalEntry => ({
  id: line.id,
  seq: line.seq,
  operation_id: line.operation_id,
  kind: line.kind,
  method: line.method as Method,
  amount: line.amount,
  balance_after: line.balance_after,
  store_id: line.store_id,
  register_id: line.register_id,
  created_at: line.created_at,
});

/** Up to `limit` entries of a member on one shard, newest first, older than `beforeSeq` when given. */
export async function shippedHistory(d1: D1Database, tenantId: string, memberId: string, beforeSeq: number | null, limit: number): Promise<JournalEntry[]> {
  // The newest `limit` rows before the cursor hold at least `limit` entries; a row's later entries may be past it.
  const rows = await d1
    .prepare(
      `SELECT * FROM (${historyLines(
        "h.tenant_id = ?1 AND h.member_id = ?2 AND h.seq IN (SELECT seq FROM history_entries WHERE tenant_id = ?1 AND member_id = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT ?4)",
      )}) WHERE seq < ?3 ORDER BY seq DESC LIMIT ?4`,
    )
    .bind(tenantId, memberId, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit)
    .all<HistoryLine>();
  return rows.results.map(journalEntryOf);
}
