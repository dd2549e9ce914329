/** Keyset pagination for lists newest first by (created_at, id): the cursor holds the last row's pair. */
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { decodeCursor, toPage, type Page } from "../lib/pagination";
import { database } from "./client";

export const isPosition = (value: unknown[]): value is [string, string] => value.length === 2 && value.every((v) => typeof v === "string");

/** Rows after the cursor's position in newest-first order (none: from the top). */
function after(createdAt: SQLiteColumn, id: SQLiteColumn, position: [string, string] | null): SQL | undefined {
  return position ? or(lt(createdAt, position[0]), and(eq(createdAt, position[0]), lt(id, position[1]))) : undefined;
}

/** A tenant's table listed newest first. */
type TenantTable = SQLiteTable & { tenantId: SQLiteColumn; createdAt: SQLiteColumn; id: SQLiteColumn };

/**
 * One page of a tenant's rows, newest first, after the cursor: `narrow` adds the list's own filters. Fetches one row
 * more than the page to know whether another page follows.
 */
export async function newestFirst<T extends TenantTable, Out>(
  d1: D1Database,
  table: T,
  tenantId: string,
  page: { cursor?: string; limit: number },
  present: (row: T["$inferSelect"]) => Out,
  narrow: (SQL | undefined)[] = [],
): Promise<Page<Out>> {
  const position = decodeCursor(page.cursor, isPosition);
  const rows = (await database(d1)
    .select()
    .from(table as SQLiteTable)
    .where(and(eq(table.tenantId, tenantId), ...narrow, after(table.createdAt, table.id, position)))
    .orderBy(desc(table.createdAt), desc(table.id))
    .limit(page.limit + 1)) as T["$inferSelect"][];
  return toPage(rows, page.limit, present, (row) => {
    const { createdAt, id } = row as { createdAt: string; id: string };
    return [createdAt, id];
  });
}
