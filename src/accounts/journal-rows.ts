/**
 * The account's journal as stored (schema version 7): one row per settlement, its first entry in the row's columns
 * and the entries after it, in seq order, as JSON in `more_entries` (rows written before version 7 hold one entry
 * each). Read back here as the entries they are.
 */
import type { JournalEntry } from "./operation";

/** The journal's last sequence number (0: no entry yet). */
export function lastJournalSeq(sql: SqlStorage): number {
  // The newest row by its key (one lookup), then its last entry.
  const row = sql.exec<{ last: number }>("SELECT COALESCE(more_entries ->> '$[#-1].seq', seq) AS last FROM journal ORDER BY journal.seq DESC LIMIT 1").toArray()[0];
  return row?.last ?? 0;
}

const ENTRY_COLUMNS = "seq, id, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at";

/** The entries of the journal rows `where` picks (over `j`): each row's first entry and those in its `more_entries`. */
const entriesOfRows = (where: string) => `
  SELECT ${ENTRY_COLUMNS} FROM journal j WHERE ${where}
  UNION ALL
  SELECT e.value ->> '$.seq', e.value ->> '$.id', e.value ->> '$.operation_id', e.value ->> '$.kind', e.value ->> '$.method',
    e.value ->> '$.amount', e.value ->> '$.balance_after', e.value ->> '$.store_id', e.value ->> '$.register_id', e.value ->> '$.created_at'
  FROM journal j, json_each(j.more_entries) e WHERE ${where}`;

/** Every entry of the journal, in seq order. */
export function journalEntries(sql: SqlStorage): JournalEntry[] {
  return sql.exec<JournalEntry>(`${entriesOfRows("true")} ORDER BY seq`).toArray();
}

/** Up to `limit` entries, newest first, before `beforeSeq` (null: from the newest): a page of the member's history. */
export function journalPage(sql: SqlStorage, beforeSeq: number | null, limit: number): JournalEntry[] {
  // The newest `limit` rows before the cursor hold at least `limit` entries; a row's later entries may be past it.
  const before = beforeSeq ?? Number.MAX_SAFE_INTEGER;
  const rows = `j.seq IN (SELECT seq FROM journal WHERE seq < ${Math.floor(before)} ORDER BY seq DESC LIMIT ${Math.floor(limit)})`;
  return sql.exec<JournalEntry>(`SELECT * FROM (${entriesOfRows(rows)}) WHERE seq < ? ORDER BY seq DESC LIMIT ?`, before, limit).toArray();
}

/** The entries one operation posted, in seq order. */
export function entriesOfOperation(sql: SqlStorage, operationId: string): JournalEntry[] {
  return sql.exec<JournalEntry>(`SELECT * FROM (${entriesOfRows("j.operation_id = ?1")}) ORDER BY seq`, operationId).toArray();
}
