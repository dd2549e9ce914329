/**
 * The day's reconciliation, as a pure rule: what the confirmed operations say moved (per store and method), against
 * what the accounts' journal posted for them. Both come from what the accounts decided; they must agree exactly.
 */
import { METHODS, type Method } from "../accounts/operation";

/** The figures of one store and method, in the method's units (minor units of money, or points). */
export interface Figures {
  deducted: number;
  accrued: number;
  refunded: number;
  accrual_reversed: number;
  topped_up: number;
  manual_accrued: number;
  manual_deducted: number;
}

export const FIGURES: (keyof Figures)[] = ["deducted", "accrued", "refunded", "accrual_reversed", "topped_up", "manual_accrued", "manual_deducted"];

/** A confirmed operation as D1 keeps it (its public body). */
export interface ConfirmedOperation {
  type: string;
  store_id: string;
  payments?: { method: Method; amount: number }[];
  accrual?: { points: number };
  method?: Method;
  amount?: number;
}

export interface JournalRow {
  kind: string;
  method: Method;
  amount: number;
  store_id: string | null;
}

export interface StoreDay {
  store_id: string;
  counts: { purchases: number; refunds: number; top_ups: number; manual: number };
  methods: { method: Method; operations: Figures; journal: Figures; balanced: boolean }[];
  balanced: boolean;
}

const zero = (): Figures => ({ deducted: 0, accrued: 0, refunded: 0, accrual_reversed: 0, topped_up: 0, manual_accrued: 0, manual_deducted: 0 });

/** What a journal entry's kind is, as a figure (its amount's sign says which way it went). */
const JOURNAL_FIGURE: Record<string, keyof Figures> = {
  payment: "deducted",
  accrual: "accrued",
  refund: "refunded",
  accrual_reversal: "accrual_reversed",
  top_up: "topped_up",
  manual_accrual: "manual_accrued",
  manual_deduction: "manual_deducted",
};

export function dailyReport(operations: ConfirmedOperation[], journal: JournalRow[], storeIds: string[]): StoreDay[] {
  const days = new Map<string, { counts: StoreDay["counts"]; operations: Record<Method, Figures>; journal: Record<Method, Figures> }>();
  const day = (storeId: string) => {
    let found = days.get(storeId);
    if (!found) {
      found = {
        counts: { purchases: 0, refunds: 0, top_ups: 0, manual: 0 },
        operations: { credit: zero(), cashback: zero(), points: zero() },
        journal: { credit: zero(), cashback: zero(), points: zero() },
      };
      days.set(storeId, found);
    }
    return found;
  };
  for (const id of storeIds) day(id);
  for (const op of operations) {
    const d = day(op.store_id);
    if (op.type === "purchase") {
      d.counts.purchases += 1;
      for (const p of op.payments ?? []) d.operations[p.method].deducted += p.amount;
      d.operations.points.accrued += op.accrual?.points ?? 0;
    } else if (op.type === "refund") {
      d.counts.refunds += 1;
      for (const p of op.payments ?? []) d.operations[p.method].refunded += p.amount;
      d.operations.points.accrual_reversed += -(op.accrual?.points ?? 0);
    } else if (op.type === "top_up" && op.method) {
      d.counts.top_ups += 1;
      d.operations[op.method].topped_up += op.amount ?? 0;
    } else if ((op.type === "manual_accrual" || op.type === "manual_deduction") && op.method) {
      d.counts.manual += 1;
      d.operations[op.method][op.type === "manual_accrual" ? "manual_accrued" : "manual_deducted"] += op.amount ?? 0;
    }
  }
  for (const entry of journal) {
    const figure = JOURNAL_FIGURE[entry.kind];
    if (figure && entry.store_id) day(entry.store_id).journal[entry.method][figure] += Math.abs(entry.amount);
  }
  return [...days.entries()].map(([store_id, d]) => {
    const methods = METHODS.map((method) => ({
      method,
      operations: d.operations[method],
      journal: d.journal[method],
      balanced: FIGURES.every((f) => d.operations[method][f] === d.journal[method][f]),
    }));
    return { store_id, counts: d.counts, methods, balanced: methods.every((m) => m.balanced) };
  });
}
