import type { RefundTally } from "./refund";

/** The shapes of an account's operations and journal, as plain data shared by the rules, the object and the routes. */

export const METHODS = ["credit", "cashback", "points"] as const;
export type Method = (typeof METHODS)[number];
export type Amounts = Partial<Record<Method, number>>;

export const OPERATION_TYPES = ["purchase", "refund", "top_up", "manual_accrual", "manual_deduction"] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];
export type OperationStatus = "pending" | "confirmed" | "cancelled" | "expired";

export type CardStatus = "active" | "blocked" | "replaced";

export interface Payment {
  method: Method;
  amount: number;
}

export type Authorization = {
  method: "none" | "approval" | "sms_code";
  status: "not_required" | "required" | "pending" | "approved" | "rejected" | "verified";
  /** Only when both the member's approval and an SMS code are needed: each one's status. */
  steps?: Partial<Record<"approval" | "sms_code", Authorization["status"]>>;
};

/** What a cash register asks for (validated by the route's zod schema). */
export type OperationRequest =
  | {
      type: "purchase";
      card: string;
      cheque: { number: string; total: number };
      payments: Payment[];
      accrue_points?: boolean;
    }
  | { type: "refund"; original_operation_id: string; amount: number }
  | { type: "top_up"; card: string; method: "credit"; amount: number }
  | { type: "manual_accrual" | "manual_deduction"; card: string; method: Method; amount: number; reason: string };

/** The public operation object of API.md. */
export interface Operation {
  id: string;
  type: OperationType;
  status: OperationStatus;
  card: string | null;
  member_id: string;
  store_id: string;
  register_id: string;
  cheque?: { number: string; total: number };
  payments?: Payment[];
  accrue_points?: boolean;
  /** A refund's `points` are negative (taken back); `points_short`, the points due that were already spent. */
  accrual?: { points: number; points_short?: number };
  /** A refund: the value, in minor units, of the spent points (`points_short`), kept from what it gives back. */
  deducted_for_points?: number;
  /** A refund: the part of `deducted_for_points` that Tillsafe methods could not cover, for the till to keep from cash or card. */
  withhold_outside?: number;
  original_operation_id?: string;
  method?: Method;
  amount?: number;
  reason?: string;
  authorization: Authorization;
  expires_at: string;
  created_at: string;
  /** Changes with every state change: a long poll with `since` returns as soon as it differs. */
  updated_at: string;
  confirmed_at: string | null;
  cancelled_at: string | null;
}

/** An operation with what it holds now and credits on confirm: the part only the account sees. */
export interface OperationRecord {
  operation: Operation;
  /** Deductions: lower `available` while pending, become negative journal entries on confirm. */
  holds: Amounts;
  /** Accruals and give-backs: positive journal entries on confirm, nothing before. */
  credits: Amounts;
  /** For a confirmed purchase: the cheque amount already claimed by pending and confirmed refunds. */
  refunded: number;
  /** What a member approval covers: the held methods that need it, and what a point is worth in minor units. */
  approval: { methods: Method[]; point_value: number };
  /** Each authorization step the operation needs, with its status; `operation.authorization` describes them. */
  steps: Partial<Record<"approval" | "sms_code", "required" | "pending" | "approved" | "rejected" | "verified">>;
  /** Card limit counters counted this operation here (to commit or give back). */
  counted?: boolean;
  /** The register and store limits of this operation were counted by its StoreDO (to commit or release there). */
  store_reserved?: boolean;
  /** For a confirmed purchase: what its refunds claim per method and how much of them is confirmed (`refund.ts`). */
  refund_tally?: RefundTally;
  /** A refund: kept from its give-back per method for accrued points already spent, and how many points that settles. */
  kept_for_points?: Amounts;
  points_settled?: number;
  /** The operation as made, less its row's columns: what D1 keeps once and each version's moment differs from (src/history/operation-moments.ts). */
  base?: Record<string, unknown>;
  version: number;
}

/** The fields of a pending purchase the cashier may change before it is authorized. */
export interface PurchaseChange {
  cheque?: { number: string; total: number };
  payments?: Payment[];
  accrue_points?: boolean;
}

export type JournalEntry = {
  id: string;
  seq: number;
  operation_id: string;
  kind: string;
  method: Method;
  amount: number;
  balance_after: number;
  store_id: string | null;
  register_id: string | null;
  created_at: string;
};

/** A journal entry as history shows it (API.md): without its internal sequence number. */
export function historyEntry(entry: JournalEntry) {
  return {
    id: entry.id,
    operation_id: entry.operation_id,
    kind: entry.kind,
    method: entry.method,
    amount: entry.amount,
    balance_after: entry.balance_after,
    created_at: entry.created_at,
    store_id: entry.store_id,
    register_id: entry.register_id,
  };
}

export type Card = {
  number: string;
  status: CardStatus;
  block_reason: string | null;
  replaced_by: string | null;
};

export interface Balances {
  credit: { balance: number; available: number };
  cashback: { balance: number; available: number };
  points: { balance: number; available: number };
}
