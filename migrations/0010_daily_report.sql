-- The day's reconciliation reads a tenant's journal by time.
CREATE INDEX history_entries_day ON history_entries(tenant_id, created_at);
