/**
 * A store's Idempotency-Key claims: the operation each register's key went to, whichever member's card it named,
 * kept at least 3 days from the create (API.md asks for 24 hours and the longest hold).
 *
 * Claims live in generations, one table per 3 days (`key_claims_<n>`, n = creation time ÷ 3 days): a generation is
 * dropped whole once a claim of the generation two after it comes, so a claim lives 3 to 6 days. Dropping a table
 * writes no row, where deleting claims one by one (with an index by age to find them) wrote two more rows per claim.
 */
import { KEY_RETENTION_MS } from "../lib/ids";
import { keyReused, type Refusal } from "../lib/refusal";
import type { KeyClaim } from "./store-do";

const generationOf = (at: number) => Math.floor(at / KEY_RETENTION_MS);
const tableOf = (generation: number) => `key_claims_${generation}`;
const makeGeneration = (sql: SqlStorage, generation: number) =>
  sql.exec(`CREATE TABLE IF NOT EXISTS ${tableOf(generation)} (key TEXT PRIMARY KEY, operation_id TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID`);

export class KeyClaims {
  constructor(private readonly sql: SqlStorage) {}

  /** The generations there are, oldest first (read each time: a rolled-back transaction may have made one). */
  private generations(): number[] {
    return this.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'key_claims_[0-9]*'")
      .toArray()
      .map((row) => Number(row.name.slice("key_claims_".length)))
      .sort((a, b) => a - b);
  }

  /**
   * Gives the key to the operation: null when it is new or already went to this same operation (a retry: the
   * account answers it), `idempotency_key_reused` when it went to another. Generations two older than this claim's go.
   */
  claim({ key, operation_id, at }: KeyClaim): Refusal | null {
    const generations = this.generations();
    for (const generation of generations) {
      const owner = this.sql.exec<{ operation_id: string }>(`SELECT operation_id FROM ${tableOf(generation)} WHERE key = ?`, key).toArray()[0];
      if (owner) return owner.operation_id === operation_id ? null : keyReused();
    }
    const generation = generationOf(at);
    makeGeneration(this.sql, generation);
    this.sql.exec(`INSERT INTO ${tableOf(generation)} (key, operation_id, created_at) VALUES (?, ?, ?)`, key, operation_id, at);
    for (const old of generations) if (old < generation - 1) this.sql.exec(`DROP TABLE ${tableOf(old)}`);
    return null;
  }

  /** Every generation wholly older than `time` goes (what the passing of time does, for the cost bench). */
  forgetBefore(time: number): void {
    for (const generation of this.generations()) if ((generation + 1) * KEY_RETENTION_MS <= time) this.sql.exec(`DROP TABLE ${tableOf(generation)}`);
  }
}

/**
 * A StoreDO of before version 5 kept its claims in one table with an index by age: the claims still within the two
 * newest generations move into their generation's table, the rest go with the table.
 */
export function upgradeKeyClaims(sql: SqlStorage, now: number): void {
  if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'key_claims'").toArray().length === 0) return;
  for (const generation of [generationOf(now) - 1, generationOf(now)]) {
    const from = generation * KEY_RETENTION_MS;
    if (sql.exec("SELECT 1 FROM key_claims WHERE created_at >= ? AND created_at < ? LIMIT 1", from, from + KEY_RETENTION_MS).toArray().length === 0) continue;
    makeGeneration(sql, generation);
    sql.exec(`INSERT INTO ${tableOf(generation)} (key, operation_id, created_at) SELECT key, operation_id, created_at FROM key_claims WHERE created_at >= ? AND created_at < ?`, from, from + KEY_RETENTION_MS);
  }
  sql.exec("DROP TABLE key_claims");
}
