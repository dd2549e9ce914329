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

/**
 * The operation a row holds, as its latest version was, or as a `moment` other than the row's says (an event's). A
 * row whose `body` is the whole operation (it has its id: a row of before migration 0022, or shipped by an account
 * that kept no base) is that operation; an event's moment is laid over it.
 */
export function operationOfRow(row: OperationRowRead, moment = row.moment): Operation {
  const body = JSON.parse(row.body) as Record<string, unknown>;
  const columns = { id: row.id, type: row.type, member_id: row.member_id, store_id: row.store_id, register_id: row.register_id, created_at: row.created_at };
  if ("id" in body) return moment === null || moment === row.moment ? (body as unknown as Operation) : operationAt(columns, body, JSON.parse(moment));
  return operationAt(columns, body, moment === null ? {} : JSON.parse(moment));
}

/**
 * One field of an operation's row in SQL, as its SQL value: the whole operation's (a row with no base), else its
 * moment's, else its base's. (A moment's list of fields gone is not read: no field a query asks for is ever gone.)
 */
export const operationField = (name: string) =>
  `(CASE WHEN moment IS NULL OR body ->> '$.id' IS NOT NULL THEN body ->> '$.${name}' ELSE coalesce(moment -> '$.${name}', body -> '$.${name}') ->> '$' END)`;
