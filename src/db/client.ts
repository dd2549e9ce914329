import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = ReturnType<typeof database>;

/** A write for a D1 batch: a change, its audit entry, or an Idempotency-Key's answer committed with it. */
export type BatchWrite = BatchItem<"sqlite">;

export function database(d1: D1Database) {
  return drizzle(d1, { schema });
}
