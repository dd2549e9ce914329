/** An account's balances, and what its pending operations hold and will credit, read from its SQLite storage. */
import { emptyAmounts } from "./ledger";
import { METHODS, type Method } from "./operation";

export interface Totals {
  balances: Record<Method, number>;
  held: Record<Method, number>;
  incoming: Record<Method, number>;
}

export function storedTotalsOf(sql: SqlStorage): Totals {
  // The balances are those the journal's last settlement left (on its last row); none yet: all zero.
  const last = sql.exec<{ balances: string }>("SELECT balances FROM journal WHERE balances IS NOT NULL ORDER BY seq DESC LIMIT 1").toArray()[0];
  const balances = { ...emptyAmounts(), ...(last ? (JSON.parse(last.balances) as Partial<Record<Method, number>>) : {}) };
  // What is held and what will be credited is what the pending operations say: their records are the only copy.
  const sums = sql
    .exec<Record<`${"held" | "incoming"}_${Method}`, number>>(
      `SELECT COALESCE(SUM(record ->> '$.holds.credit'), 0) AS held_credit, COALESCE(SUM(record ->> '$.holds.cashback'), 0) AS held_cashback,
         COALESCE(SUM(record ->> '$.holds.points'), 0) AS held_points, COALESCE(SUM(record ->> '$.credits.credit'), 0) AS incoming_credit,
         COALESCE(SUM(record ->> '$.credits.cashback'), 0) AS incoming_cashback, COALESCE(SUM(record ->> '$.credits.points'), 0) AS incoming_points
       FROM operations WHERE status = 'pending'`,
    )
    .one();
  const held = emptyAmounts();
  const incoming = emptyAmounts();
  for (const method of METHODS) {
    held[method] = sums[`held_${method}`];
    incoming[method] = sums[`incoming_${method}`];
  }
  return { balances, held, incoming };
}
