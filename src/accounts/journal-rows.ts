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

/** Every entry of the journal, in seq order. */
export function journalEntries(sql: SqlStorage): JournalEntry[] {
  return sql
    .exec<JournalEntry>(
      `SELECT ${ENTRY_COLUMNS} FROM journal
       UNION ALL
       SELECT e.value ->> '$.seq', e.value ->> '$.id', e.value ->> '$.operation_id', e.value ->> '$.kind', e.value ->> '$.method',
         e.value ->> '$.amount', e.value ->> '$.balance_after', e.value ->> '$.store_id', e.value ->> '$.register_id', e.value ->> '$.created_at'
       FROM journal j, json_each(j.more_entries) e
       ORDER BY seq`,
    )
    .toArray();
}
