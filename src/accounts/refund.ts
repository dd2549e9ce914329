/**
 * Refunds of a confirmed purchase, as pure functions over the purchase's record. The purchase keeps a tally of what
 * its refunds claim (pending and confirmed together) per method, so a refund's share is the cumulative share of the
 * cheque refunded so far less what is already claimed: rounding can never hand out a cent twice, and a cancelled or
 * expired refund frees exactly its own claim. Limit counters follow the confirmed refunds alone, which only grow.
 *
 * A refund takes back the points its part of the purchase earned. Points the member already spent cannot be taken
 * back: their value is kept from what the refund gives back (points given back first, point for point, then credit and
 * cashback at `point_value`), and what those cannot cover the till keeps from the cash or card it pays back
 * (`withhold_outside`), so no refund hands back more than was paid — or, when the tenant prefers, it is refused.
 */
import { METHODS, type Amounts, type Method, type OperationRecord } from "./operation";

/** What a purchase's refunds have claimed so far. */
export interface RefundTally {
  /** Per method, given back by pending and confirmed refunds. */
  given: Amounts;
  /** Accrued points settled by pending and confirmed refunds: taken back, or their value kept from what they give. */
  taken: number;
  /** Cheque amount of the confirmed refunds. */
  confirmed: number;
}

export const emptyTally = (): RefundTally => ({ given: {}, taken: 0, confirmed: 0 });

/** floor(a × b / c) exactly, whatever the size of a × b (both up to 2^53−1). */
export function mulDiv(a: number, b: number, c: number): number {
  if (c <= 0) return 0;
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** A refund's shares: what each method gets back, and how the points its part earned are settled. */
export interface RefundShares {
  /** What the member gets back per method, after what is kept for spent points. */
  credits: Amounts;
  /** Accrued points taken back from the member's points. */
  takeBack: number;
  /** Accrued points due that the member no longer has (spent). */
  short: number;
  /** Kept from the give-back for those points, per method (points point for point, money at `point_value`). */
  kept: Amounts;
  /** The rest of their value, in minor units, for the till to keep from what it pays back outside Tillsafe. */
  outside: number;
}

/**
 * The shares of a refund of `amount` of `original`'s cheque: per method, `floor(paid × refunded_after / total)` less
 * what earlier refunds claim, never below zero; and the accrued points due the same way. Points the member still has
 * are taken back; for the ones spent (`short`), whole points' worth is kept from the give-back and the rest of their
 * value is the till's to keep: the refund settles them all.
 */
export function refundShares(original: OperationRecord, amount: number, pointsAvailable: number, pointValue: number): RefundShares {
  const total = original.operation.cheque?.total ?? 0;
  const tally = original.refund_tally ?? emptyTally();
  const after = original.refunded + amount;
  const gross: Amounts = {};
  for (const payment of original.operation.payments ?? []) {
    const share = Math.max(0, mulDiv(payment.amount, after, total) - (tally.given[payment.method] ?? 0));
    if (share > 0) gross[payment.method] = share;
  }
  const accrued = original.credits.points ?? 0;
  const due = Math.max(0, mulDiv(accrued, after, total) - tally.taken);
  const takeBack = Math.min(due, Math.max(0, pointsAvailable));
  const short = due - takeBack;
  const kept = keptForPoints(gross, short, pointValue);
  const credits: Amounts = {};
  for (const method of METHODS) adjust(credits, method, (gross[method] ?? 0) - (kept[method] ?? 0));
  return { credits, takeBack, short, kept, outside: short * pointValue - keptValue(kept, pointValue) };
}

/** Whole points' worth of `short` points kept from `gross`: points given back first, then credit, then cashback. */
function keptForPoints(gross: Amounts, short: number, pointValue: number): Amounts {
  const kept: Amounts = {};
  const points = Math.min(short, gross.points ?? 0);
  adjust(kept, "points", points);
  let value = Math.min(short - points, Math.floor(((gross.credit ?? 0) + (gross.cashback ?? 0)) / pointValue)) * pointValue;
  for (const method of ["credit", "cashback"] as const) {
    const take = Math.min(value, gross[method] ?? 0);
    adjust(kept, method, take);
    value -= take;
  }
  return kept;
}

/** The money value, in minor units, of what a refund keeps for spent points. */
const keptValue = (kept: Amounts, pointValue: number) => (kept.points ?? 0) * pointValue + (kept.credit ?? 0) + (kept.cashback ?? 0);

/** The original's record once `refund` (just planned) claims its shares. */
export function claimRefund(original: OperationRecord, refund: OperationRecord): void {
  const tally = original.refund_tally ?? emptyTally();
  original.refunded += refund.operation.amount ?? 0;
  for (const method of METHODS) adjust(tally.given, method, claimOf(refund, method));
  tally.taken += settledBy(refund);
  original.refund_tally = tally;
}

/** What a refund claims of a method: what it gives back and what it keeps for spent points. */
const claimOf = (refund: OperationRecord, method: Method) => (refund.credits[method] ?? 0) + (refund.kept_for_points?.[method] ?? 0);
/** The accrued points a refund settles: taken back, or kept for. */
const settledBy = (refund: OperationRecord) => (refund.holds.points ?? 0) + (refund.points_settled ?? 0);

/** A cancelled or expired refund frees exactly its own claim. */
export function freeRefund(original: OperationRecord, refund: OperationRecord): void {
  const tally = original.refund_tally ?? emptyTally();
  original.refunded -= refund.operation.amount ?? 0;
  for (const method of METHODS) adjust(tally.given, method, -claimOf(refund, method));
  tally.taken -= settledBy(refund);
  original.refund_tally = tally;
}

/**
 * A confirmed refund: the confirmed part of the cheque moves from `before` to `after`. Counters give back
 * `floor(counted × after / total) − floor(counted × before / total)`: confirmed refunds never shrink, so over all of
 * them a counter gets back at most what the purchase counted, and exactly that once the whole cheque is refunded.
 */
export function confirmRefund(original: OperationRecord, refund: OperationRecord): { total: number; before: number; after: number } {
  const tally = original.refund_tally ?? emptyTally();
  const before = tally.confirmed;
  tally.confirmed += refund.operation.amount ?? 0;
  original.refund_tally = tally;
  return { total: original.operation.cheque?.total ?? 0, before, after: tally.confirmed };
}

/** A purchase recorded before tallies existed: its tally, from its refunds' own records. */
export function tallyFromRefunds(refunds: OperationRecord[]): RefundTally {
  const tally = emptyTally();
  for (const refund of refunds) {
    const status = refund.operation.status;
    if (status !== "pending" && status !== "confirmed") continue;
    for (const method of METHODS) adjust(tally.given, method, claimOf(refund, method));
    tally.taken += settledBy(refund);
    if (status === "confirmed") tally.confirmed += refund.operation.amount ?? 0;
  }
  return tally;
}

function adjust(amounts: Amounts, method: Method, by: number): void {
  if (by === 0) return;
  const next = (amounts[method] ?? 0) + by;
  if (next === 0) delete amounts[method];
  else amounts[method] = next;
}
