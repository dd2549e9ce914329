-- How many days a tenant's back-office history (operations and their journal entries) stays in D1, 30 to 400
-- (API.md): past it, a day is in R2 (GET /v1/exports) and its rows leave the shard with their 10-day table.
ALTER TABLE tenants ADD COLUMN history_retention_days INTEGER NOT NULL DEFAULT 90;
