/**
 * Refunds of a confirmed purchase, as pure functions over the purchase's record. The purchase keeps a tally of what
 * its refunds claim (pending and confirmed together) per method, so a refund's share is the cumulative share of the
 * cheque refunded so far less what is already claimed: rounding can never hand out a cent twice, and a cancelled or
 * expired refund frees exactly its own claim. Limit counters follow the confirmed refunds alone, which only grow.
 */
import { METHODS, type Amounts, type Method, type OperationRecord } from "./operation";

/** What a purchase's refunds have claimed so far. */
export interface RefundTally {
  /** Per method, given back by pending and confirmed refunds. */
  given: Amounts;
  /** Accrued points taken back by pending and confirmed refunds. */
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

/** A refund's shares: what each method gets back and how many accrued points are taken back. */
export interface RefundShares {
  credits: Amounts;
  takeBack: number;
}

/**
 * The shares of a refund of `amount` of `original`'s cheque: per method, `floor(paid × refunded_after / total)` less
 * what earlier refunds claim, never below zero. Points already spent cannot be taken back below zero: the take-back
 * stops at `pointsAvailable` (and a later refund may take the rest).
 */
export function refundShares(original: OperationRecord, amount: number, pointsAvailable: number): RefundShares {
  const total = original.operation.cheque?.total ?? 0;
  const tally = original.refund_tally ?? emptyTally();
  const after = original.refunded + amount;
  const credits: Amounts = {};
  for (const payment of original.operation.payments ?? []) {
    const share = Math.max(0, mulDiv(payment.amount, after, total) - (tally.given[payment.method] ?? 0));
    if (share > 0) credits[payment.method] = share;
  }
  const accrued = original.credits.points ?? 0;
  const takeBack = Math.min(Math.max(0, mulDiv(accrued, after, total) - tally.taken), Math.max(0, pointsAvailable));
  return { credits, takeBack };
}

/** The original's record once `refund` (just planned) claims its shares. */
export function claimRefund(original: OperationRecord, refund: OperationRecord): void {
  const tally = original.refund_tally ?? emptyTally();
  original.refunded += refund.operation.amount ?? 0;
  for (const method of METHODS) adjust(tally.given, method, refund.credits[method] ?? 0);
  tally.taken += refund.holds.points ?? 0;
  original.refund_tally = tally;
}

/** A cancelled or expired refund frees exactly its own claim. */
export function freeRefund(original: OperationRecord, refund: OperationRecord): void {
  const tally = original.refund_tally ?? emptyTally();
  original.refunded -= refund.operation.amount ?? 0;
  for (const method of METHODS) adjust(tally.given, method, -(refund.credits[method] ?? 0));
  tally.taken -= refund.holds.points ?? 0;
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
    for (const method of METHODS) adjust(tally.given, method, refund.credits[method] ?? 0);
    tally.taken += refund.holds.points ?? 0;
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
