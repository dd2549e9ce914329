-- How many days a tenant's back-office history (operations and their journal entries) stays in D1, 30 to 400
-- (API.md): past it, a day is in R2 (GET /v1/exports) and its rows leave the shard with their 10-day table.
ALTER TABLE tenants ADD COLUMN history_retention_days INTEGER NOT NULL DEFAULT 90;

-- On each shard: when its retention last ran (src/archive/retention.ts). Every tenant's history writer may start it,
-- at most hourly each; the first to move this row on within the hour runs it, the others stop at once.
CREATE TABLE retention_runs (id INTEGER PRIMARY KEY CHECK (id = 1), ran_at INTEGER NOT NULL);
INSERT INTO retention_runs (id, ran_at) VALUES (1, 0);
