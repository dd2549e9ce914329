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

/** Rows of several shards' pages, each newest first, as one newest-first list by (created_at, id). */
export function mergeNewestFirst<Row>(pages: Row[][], position: (row: Row) => [string, string]): Row[] {
  return pages.flat().sort((a, b) => {
    const [ac, ai] = position(a);
    const [bc, bi] = position(b);
    return ac === bc ? (ai === bi ? 0 : ai < bi ? 1 : -1) : ac < bc ? 1 : -1;
  });
}

/**
 * One page of a tenant's rows of a directory table, newest first, after the cursor: `narrow` adds the list's own
 * filters. Fetches one row more than the page to know whether another page follows. (A shard's lists read several
 * tables and shards and merge them the same way: `mergeNewestFirst`, and src/db/operations.ts.)
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
  const read = (d1: D1Database) =>
    database(d1)
      .select()
      .from(table as SQLiteTable)
      .where(and(eq(table.tenantId, tenantId), ...narrow, after(table.createdAt, table.id, position)))
      .orderBy(desc(table.createdAt), desc(table.id))
      .limit(page.limit + 1) as Promise<T["$inferSelect"][]>;
  const positionOf = (row: T["$inferSelect"]): [string, string] => {
    const { createdAt, id } = row as { createdAt: string; id: string };
    return [createdAt, id];
  };
  const rows = await read(d1);
  return toPage(rows, page.limit, present, positionOf);
}
