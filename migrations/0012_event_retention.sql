-- The event log's 30-day clean-up finds old attempts and deliveries by tenant and time, without a scan.
CREATE INDEX webhook_attempts_age ON webhook_attempts(tenant_id, at);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries(tenant_id, created_at);
