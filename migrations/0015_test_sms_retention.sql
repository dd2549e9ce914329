-- A test tenant's SMS (GET /v1/test/sms) are kept 7 days: dropped by tenant and time, like the event log (0012).
CREATE INDEX dev_sms_tenant ON dev_sms(tenant_id, created_at);
