-- Shards. Every D1 database of Tillsafe — DB and each SHARD_n — runs these same migrations, so a shard's tables can
-- never drift from the directory's. DB keeps what grows with customers (tenants, keys, staff, sessions, settings,
-- limits, members and cards for now); the shards keep what grows with traffic (operations, history, the event log,
-- webhook deliveries). docs/capacity.md says which table is used where.
--
-- A tenant's placement: its epochs as JSON, oldest first, `[{ "starts_at": "", "shards": ["shard-2"] }, …]`. A row
-- goes to the epoch its own creation time falls in, and within it to the shard its member's id hashes to. Empty: a
-- tenant of before the shards, whose rows are all on shard-0 (where the move puts them).
ALTER TABLE tenants ADD COLUMN placement TEXT NOT NULL DEFAULT '[]';
-- Shards closed to new tenants (past 80 % full, or by hand): the directory's only word on a shard; an open shard has no row.
CREATE TABLE closed_shards (id TEXT PRIMARY KEY, closed_at TEXT NOT NULL, reason TEXT NOT NULL);
-- Alerts for whoever runs the platform (a shard filling up), listed by GET /v1/platform/shards' neighbours.
CREATE TABLE platform_alerts (id TEXT PRIMARY KEY, type TEXT NOT NULL, subject_id TEXT NOT NULL, created_at TEXT NOT NULL, details TEXT NOT NULL);
-- Rows a shard's history writers wrote, per UTC day (written in the same batch as the rows): GET /v1/platform/shards' rows a day.
CREATE TABLE shard_days (day TEXT PRIMARY KEY, rows INTEGER NOT NULL) WITHOUT ROWID;
