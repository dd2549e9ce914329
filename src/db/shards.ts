/** The shard directory in DB (closed shards, platform alerts, tenants per shard) and a shard's own size and daily rows. */
import { newId } from "../lib/ids";

/** How many tenants have rows on each shard (a tenant of before the shards counts on `first`). */
export async function tenantsPerShard(db: D1Database, first: string): Promise<Map<string, number>> {
  const rows = await db
    .prepare(
      `SELECT s.value AS shard, COUNT(DISTINCT t.id) AS tenants FROM tenants t, json_each(t.placement) e, json_each(e.value, '$.shards') s GROUP BY s.value
       UNION ALL SELECT ?1, COUNT(*) FROM tenants WHERE placement = '[]'`,
    )
    .bind(first)
    .all<{ shard: string; tenants: number }>();
  const counts = new Map<string, number>();
  for (const row of rows.results) counts.set(row.shard, (counts.get(row.shard) ?? 0) + row.tenants);
  return counts;
}

export async function closedShardIds(db: D1Database): Promise<Set<string>> {
  const rows = await db.prepare("SELECT id FROM closed_shards").all<{ id: string }>();
  return new Set(rows.results.map((row) => row.id));
}

/** Closes a shard to new tenants and raises the platform's alert, once (a second call changes nothing). */
export async function closeShard(db: D1Database, shard: string, bytes: number, capacity: number, at: string): Promise<void> {
  await db.batch([
    db.prepare("INSERT INTO platform_alerts (id, type, subject_id, created_at, details) SELECT ?1, 'shard.filling', ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM closed_shards WHERE id = ?2)").bind(
      newId("alt"),
      shard,
      at,
      JSON.stringify({ bytes, capacity, share: Math.round((bytes / capacity) * 1000) / 1000 }),
    ),
    db.prepare("INSERT INTO closed_shards (id, closed_at, reason) VALUES (?1, ?2, 'filling') ON CONFLICT DO NOTHING").bind(shard, at),
  ]);
}

export async function platformAlerts(db: D1Database) {
  const rows = await db.prepare("SELECT id, type, subject_id, created_at, details FROM platform_alerts ORDER BY created_at DESC, id DESC LIMIT 100").all<{
    id: string;
    type: string;
    subject_id: string;
    created_at: string;
    details: string;
  }>();
  return rows.results.map((row) => ({ ...row, details: JSON.parse(row.details) as object }));
}

/**
 * A shard's size now, the rows its writers wrote on each day since `since` (YYYY-MM-DD) — from its first day on, when
 * it has fewer — and all they ever wrote.
 */
export async function shardRowsByDay(shard: D1Database, since: string) {
  const [recent, total] = await shard.batch<{ day: string; rows: number }>([
    shard.prepare("SELECT day, rows FROM shard_days WHERE day >= ? ORDER BY day").bind(since),
    shard.prepare("SELECT 'all' AS day, COALESCE(SUM(rows), 0) AS rows FROM shard_days"),
  ]);
  return { bytes: total.meta.size_after ?? 0, days: recent.results, allRows: total.results[0]?.rows ?? 0 };
}

/** The statement, in a writer's batch, counting the rows it writes today. */
export const countShardRows = (shard: D1Database, rows: number, now = Date.now()) =>
  shard.prepare("INSERT INTO shard_days (day, rows) VALUES (?1, ?2) ON CONFLICT(day) DO UPDATE SET rows = rows + excluded.rows").bind(new Date(now).toISOString().slice(0, 10), rows);
