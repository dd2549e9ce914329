-- One history row per settlement, as the account's journal keeps it: its first entry in the columns, the entries
-- after it (a purchase that earns points: the accrual) as a JSON array in `more_entries` (each its id, seq, kind,
-- method, amount and balance_after; the operation, store, register and time are the row's). A purchase pair then
-- writes one row and one index entry instead of two of each. Rows written before hold one entry each, and are read
-- the same way.
ALTER TABLE history_entries ADD COLUMN more_entries TEXT;
