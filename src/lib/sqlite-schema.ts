/** Durable Object SQLite schemas, created once per version rather than on every start of an object. */
/**
 * Creates the tables unless this object already has this version of them (a cheap check on every start), then runs
 * `upgrade` for what the DDL cannot express idempotently.
 */
export function ensureSchema(sql: SqlStorage, schema: string, version: number, upgrade?: () => void): void {
  try {
    const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
    if (row && row.version >= version) return;
  } catch {
    // no schema_version table yet: a new object
  }
  sql.exec(schema);
  // Changes a CREATE ... IF NOT EXISTS cannot make to an older object's tables (a new column).
  upgrade?.();
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  sql.exec("DELETE FROM schema_version");
  sql.exec("INSERT INTO schema_version (version) VALUES (?)", version);
}
