import { base64url, fromBase64 } from "./encoding";
import { invalidRequest } from "./errors";

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export function encodeCursor(position: unknown[]): string {
  return base64url(new TextEncoder().encode(JSON.stringify(position)));
}

/** The position a cursor points after; a cursor not made here is a 400. */
export function decodeCursor<T extends unknown[]>(cursor: string | undefined, shape: (value: unknown[]) => value is T): T | null {
  if (cursor === undefined) return null;
  try {
    const value = JSON.parse(new TextDecoder().decode(fromBase64(cursor)));
    if (Array.isArray(value) && shape(value)) return value;
  } catch {
    // fall through to the refusal
  }
  throw invalidRequest("cursor is not valid");
}

/** Rows were fetched with limit + 1: the extra one says whether there is a next page. */
export function toPage<Row, T>(rows: Row[], limit: number, present: (row: Row) => T, position: (row: Row) => unknown[]): Page<T> {
  const data = rows.slice(0, limit);
  return {
    data: data.map(present),
    next_cursor: rows.length > limit ? encodeCursor(position(data[data.length - 1])) : null,
  };
}
