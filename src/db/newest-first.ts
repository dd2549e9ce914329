/** Keyset pagination for lists newest first by (created_at, id): the cursor holds the last row's pair. */
import { and, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

export const isPosition = (value: unknown[]): value is [string, string] => value.length === 2 && value.every((v) => typeof v === "string");

/** Rows after the cursor's position in newest-first order (none: from the top). */
export function after(createdAt: SQLiteColumn, id: SQLiteColumn, position: [string, string] | null): SQL | undefined {
  return position ? or(lt(createdAt, position[0]), and(eq(createdAt, position[0]), lt(id, position[1]))) : undefined;
}
