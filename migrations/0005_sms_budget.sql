-- Every SMS of a tenant counts against its hourly budget (settings: sms_per_hour).
ALTER TABLE tenants ADD COLUMN sms_per_hour INTEGER NOT NULL DEFAULT 500;
