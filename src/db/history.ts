/**
 * The tenant's history on a D1 shard, for its reports and day archives: one row per settlement, keyed by time
 * (migration 0022), its first entry in the columns and the rest in `more_entries` (migration 0021), read back as the
 * journal entries the accounts shipped. A member's own history is read from the member's account.
 */
import type { JournalEntry } from "../accounts/operation";

/**
 * The journal entries of the history rows `where` picks (over `h`) in `table` (a generation's, or the table of
 * before): each row's first entry, and those in its `more_entries`. `where` may use numbered parameters (`?1`),
 * bound once for both halves.
 */
export const historyLines = (where: string, table = "history_entries") => `
  SELECT h.id, h.member_id, h.seq, h.operation_id, h.kind, h.method, h.amount, h.balance_after, h.store_id, h.register_id, h.created_at
  FROM ${table} h WHERE ${where}
  UNION ALL
  SELECT e.value ->> '$.id', h.member_id, e.value ->> '$.seq', h.operation_id, e.value ->> '$.kind', e.value ->> '$.method',
    e.value ->> '$.amount', e.value ->> '$.balance_after', h.store_id, h.register_id, h.created_at
  FROM ${table} h, json_each(h.more_entries) e WHERE ${where}`;

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
