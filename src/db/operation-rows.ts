/**
 * Operations' D1 rows read back as operations: a row keeps its base and its latest moment (a row of before migration
 * 0022, the whole operation); src/history/operation-moments.ts says how.
 */
import type { Operation } from "../accounts/operation";
import { operationAt, type OperationColumns } from "../history/operation-moments";

/** The columns a read selects to put an operation back together. */
export const OPERATION_ROW = "id, type, member_id, store_id, register_id, created_at, body, moment";

export interface OperationRowRead extends OperationColumns {
  body: string;
  moment: string | null;
}

/** The operation a row holds, as its latest version was (or as a `moment` other than the row's says). */
export function operationOfRow(row: OperationRowRead, moment = row.moment): Operation {
  if (row.moment === null) return JSON.parse(row.body) as Operation;
  const columns = { id: row.id, type: row.type, member_id: row.member_id, store_id: row.store_id, register_id: row.register_id, created_at: row.created_at };
  return operationAt(columns, JSON.parse(row.body), moment === null ? {} : JSON.parse(moment));
}

/** One field of an operation's row in SQL (its moment's, else its base's), as its SQL value. */
export const operationField = (name: string) => `(coalesce(moment -> '$.${name}', body -> '$.${name}') ->> '$')`;
