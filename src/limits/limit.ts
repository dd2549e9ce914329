/** Limits as the merchant sets them (API.md "Limits and alerts"), and the facts of an operation they are checked on. */
import type { Amounts, Method, OperationType } from "../accounts/operation";

export const SCOPES = ["card", "register", "store"] as const;
export const PERIODS = ["operation", "day", "week", "month", "lifetime"] as const;
export const AMOUNT_METRICS = ["accrued_amount", "deducted_amount", "manual_accrued_amount", "manual_deducted_amount"] as const;
export const COUNT_METRICS = ["accrual_count", "manual_operation_count", "purchase_count"] as const;
export const METRICS = [...AMOUNT_METRICS, ...COUNT_METRICS, "balance"] as const;

export type LimitScope = (typeof SCOPES)[number];
export type Period = (typeof PERIODS)[number];
export type Metric = (typeof METRICS)[number];

export interface Limit {
  id: string;
  scope: LimitScope;
  /** null: every card / register / store of the tenant. */
  scope_id: string | null;
  /** Card scope only: count separately at each register or store. */
  per: "register" | "store" | null;
  metric: Metric;
  method: Method | null;
  period: Period;
  hard: number | null;
  soft: { lower: number; upper: number } | null;
  created_at: string;
}

/** What the limits look at in an operation. Deductions are its holds, accruals its credits. */
export interface OperationFacts {
  id: string;
  type: OperationType;
  card: string | null;
  register_id: string;
  store_id: string;
  holds: Amounts;
  credits: Amounts;
  /** Card scope, `balance` metric: the card's balance plus every pending accrual, before this operation. */
  projectedBalance?: Record<Method, number>;
}

export type AlertType = "limit.soft_crossed" | "limit.blocked" | "sms.budget_exhausted" | "audit.chain_broken";

/**
 * A security alert. A limit's alert names the limit, the counter and the operation; `sms.budget_exhausted` names the
 * tenant (scope `tenant`, metric `sms_sent` or `signin_sms_sent`, period `hour`, the budget's bound) and no limit or operation ("");
 * `audit.chain_broken` names the tenant (metric `audit_entries`, period `lifetime`, bound: the last place sealed,
 * value: the last place that still holds).
 */
export interface Alert {
  id: string;
  type: AlertType;
  limit_id: string;
  scope: LimitScope | "tenant";
  scope_id: string;
  metric: Metric | "sms_sent" | "signin_sms_sent" | "audit_entries";
  period: Period | "hour";
  bound: number;
  value: number;
  operation_id: string;
  created_at: string;
}

/** An alert of the whole tenant (no limit, no operation), as the TenantDO raises it. */
export type TenantAlert = Pick<Alert, "id" | "type" | "scope_id" | "metric" | "period" | "bound" | "value" | "created_at">;
export const tenantAlert = (alert: TenantAlert): Alert => ({ ...alert, limit_id: "", scope: "tenant", operation_id: "" });
