/**
 * The ledger rules of one member account, as pure functions over plain data: no storage, no clock, no I/O.
 * The AccountDO loads the state, calls these, and persists what they decide in one transaction.
 */
import { MAX_AMOUNT, outOfRange } from "../lib/money";
import { describeAuthorization, isStepDone, requiredSteps, type AuthorizationSteps } from "./authorization";
import {
  METHODS,
  type Amounts,
  type CardStatus,
  type Method,
  type Operation,
  type OperationRecord,
  type OperationRequest,
  type PurchaseChange,
} from "./operation";
import { mulDiv, refundShares } from "./refund";
import { isRefusal, refuse, type Refusal } from "../lib/refusal";

/** An Idempotency-Key already used with a different request (by this account, or at the store for another card). */


/** The tenant's and store's settings an operation is decided under, copied into the request by the route. */
export interface OperationPolicy {
  approval_required_for: Method[];
  points_per_currency_unit: number;
  point_value: number;
  hold_ttl_seconds: number;
  /** Minor digits of the tenant's currency: 2 for USD, 0 for JPY. */
  minor_digits: number;
  sms_confirm_points_deduction: boolean;
  /** A refund whose purchase's points are spent: give back that much less money (default) or refuse. */
  refund_when_points_spent?: "reduce" | "refuse";
}

export interface AccountView {
  balances: Record<Method, number>;
  held: Record<Method, number>;
  /** What the pending operations will credit once confirmed. */
  incoming: Record<Method, number>;
  cardStatus(number: string): CardStatus | undefined;
}

export interface NewOperation {
  id: string;
  member_id: string;
  store_id: string;
  register_id: string;
  request: OperationRequest;
  policy: OperationPolicy;
  now: number;
}

export function available(account: AccountView, method: Method): number {
  return account.balances[method] - account.held[method];
}

export function emptyAmounts(): Record<Method, number> {
  return { credit: 0, cashback: 0, points: 0 };
}

/** Money value, in minor units, of a payment: points are worth `point_value` minor units each. */
export function moneyValue(method: Method, amount: number, policy: Pick<OperationPolicy, "point_value">): number {
  return method === "points" ? amount * policy.point_value : amount;
}

/** Points earned by a purchase: whole currency units of the cheque not paid with points, times the rate, rounded down. */
export function accrualPoints(total: number, pointsPaidValue: number, policy: OperationPolicy): number {
  const earning = total - pointsPaidValue;
  if (earning <= 0) return 0;
  // Exact even where earning × rate passes 2^53 (the caller refuses an accrual that does).
  return mulDiv(earning, policy.points_per_currency_unit, 10 ** policy.minor_digits);
}

/**
 * What an operation (other than a refund) holds and credits, from the request and the settings alone: a purchase's
 * payments are held and its points accrual credited on confirm. Refuses a purchase whose payments repeat a method or
 * are worth more than the cheque.
 */
export function operationEffects(
  request: Exclude<OperationRequest, { type: "refund" }>,
  policy: OperationPolicy,
): { holds: Amounts; credits: Amounts } | Refusal {
  const holds: Amounts = {};
  const credits: Amounts = {};
  if (request.type === "purchase") {
    let paidValue = 0;
    let pointsValue = 0;
    for (const payment of request.payments) {
      if (holds[payment.method] !== undefined) {
        return refuse("invalid_request", "Each payment method may appear once", { method: payment.method });
      }
      const value = moneyValue(payment.method, payment.amount, policy);
      if (value > MAX_AMOUNT) return outOfRange(payment.method, "points value");
      paidValue += value;
      if (payment.method === "points") pointsValue = value;
      holds[payment.method] = payment.amount;
    }
    if (paidValue > request.cheque.total) {
      return refuse("payments_exceed_total", "The payments are worth more than the cheque total", {
        total: request.cheque.total,
        payments_value: paidValue,
      });
    }
    const points = request.accrue_points ? accrualPoints(request.cheque.total, pointsValue, policy) : 0;
    if (points > MAX_AMOUNT) return outOfRange("points", "points accrual");
    if (points > 0) credits.points = points;
  } else if (request.type === "manual_deduction") {
    holds[request.method] = request.amount;
  } else {
    credits[request.method] = request.amount;
  }
  return { holds, credits };
}

/**
 * Decides whether an operation may be created and what it holds and will credit.
 * `original` is the operation a refund refers to (or null when absent from this account).
 */
export function planOperation(input: NewOperation, account: AccountView, original: OperationRecord | null): OperationRecord | Refusal {
  const { request, policy, now } = input;
  const holds: Amounts = {};
  const credits: Amounts = {};
  const base = {
    id: input.id,
    type: request.type,
    status: "pending" as const,
    member_id: input.member_id,
    store_id: input.store_id,
    register_id: input.register_id,
    created_at: new Date(now).toISOString(),
    updated_at: new Date(now).toISOString(),
    expires_at: new Date(now + policy.hold_ttl_seconds * 1000).toISOString(),
    confirmed_at: null,
    cancelled_at: null,
  };
  let operation: Operation;
  let steps: AuthorizationSteps = {};
  const refundKeeps: Pick<OperationRecord, "kept_for_points" | "points_settled"> = {};

  if (request.type === "refund") {
    if (!original || original.operation.type !== "purchase") {
      return refuse("operation_not_found", "The original operation was not found");
    }
    if (original.operation.status !== "confirmed") {
      return refuse("operation_not_confirmed", "Only a confirmed purchase can be refunded", {
        status: original.operation.status,
      });
    }
    const total = original.operation.cheque!.total;
    const remaining = total - original.refunded;
    if (request.amount > remaining) {
      return refuse("refund_exceeds_remaining", "The refund is larger than what is left to refund", {
        remaining,
        attempted: request.amount,
      });
    }
    // Points already spent cannot be taken back: their value is kept from the give-back, or the refund refused.
    const shares = refundShares(original, request.amount, available(account, "points"), policy.point_value);
    if (shares.short > 0 && policy.refund_when_points_spent === "refuse") {
      return refuse("refund_points_spent", "The points this purchase earned are already spent; this program refuses such refunds", {
        points_short: shares.short,
      });
    }
    Object.assign(credits, shares.credits);
    const takeBack = shares.takeBack;
    if (takeBack > 0) holds.points = takeBack;
    operation = {
      ...base,
      card: original.operation.card,
      original_operation_id: original.operation.id,
      amount: request.amount,
      payments: METHODS.filter((m) => credits[m]).map((m) => ({ method: m, amount: credits[m]! })),
      accrual: { points: -takeBack, points_short: shares.short },
      deducted_for_points: shares.short * policy.point_value,
      withhold_outside: shares.outside,
      authorization: { method: "none", status: "not_required" },
    };
    if (shares.short > 0) Object.assign(refundKeeps, { kept_for_points: shares.kept, points_settled: shares.short });
  } else {
    const status = account.cardStatus(request.card);
    if (status === undefined) return refuse("card_not_found", "Card not found");
    if (status !== "active") return refuse("card_blocked", `The card is ${status}`, { status });

    const effects = operationEffects(request, policy);
    if (isRefusal(effects)) return effects;
    Object.assign(holds, effects.holds);
    Object.assign(credits, effects.credits);
    steps = requiredSteps(holds, policy);
    const authorization = describeAuthorization(steps);
    if (request.type === "purchase") {
      operation = {
        ...base,
        card: request.card,
        cheque: request.cheque,
        payments: request.payments,
        accrue_points: request.accrue_points ?? false,
        accrual: { points: credits.points ?? 0 },
        authorization,
      };
    } else {
      operation = {
        ...base,
        card: request.card,
        method: request.method,
        amount: request.amount,
        ...(request.type !== "top_up" ? { reason: request.reason } : {}),
        authorization,
      };
    }
  }

  for (const method of METHODS) {
    const wanted = holds[method] ?? 0;
    if (wanted > 0 && wanted > available(account, method)) {
      return refuse("insufficient_funds", `Not enough ${method} available`, {
        method,
        available: available(account, method),
        requested: wanted,
      });
    }
  }
  for (const method of METHODS) {
    // Every pending credit may be confirmed: the balance they would reach together must stay exact.
    const reach = account.balances[method] + account.incoming[method] + (credits[method] ?? 0);
    if ((credits[method] ?? 0) > 0 && reach > MAX_AMOUNT) return outOfRange(method, `${method} balance`);
  }
  const approval = {
    methods: METHODS.filter((m) => (holds[m] ?? 0) > 0 && policy.approval_required_for.includes(m)),
    point_value: policy.point_value,
  };
  return { operation, holds, credits, refunded: 0, approval, steps, version: 1, ...refundKeeps };
}

/**
 * A cashier's change to a pending purchase before it is authorized: the old holds are released and the new ones
 * checked against what that leaves; the authorization starts again. Created and expiry times stay.
 */
export function replanPurchase(
  record: OperationRecord,
  change: PurchaseChange,
  policy: OperationPolicy,
  account: AccountView,
  now: number,
): OperationRecord | Refusal {
  const op = record.operation;
  if (op.type !== "purchase") return refuse("operation_not_updatable", "Only a pending purchase can be changed");
  if (op.status !== "pending") return refuse("operation_not_pending", `The operation is ${op.status}`, { status: op.status });
  if (isStepDone(record.steps.approval) || isStepDone(record.steps.sms_code)) {
    return refuse("already_authorized", "An authorized operation cannot be changed; cancel it and start again", {
      authorization: op.authorization,
    });
  }
  const held = { ...account.held };
  const incoming = { ...account.incoming };
  for (const method of METHODS) {
    held[method] -= record.holds[method] ?? 0;
    incoming[method] -= record.credits[method] ?? 0;
  }
  const plan = planOperation(
    {
      id: op.id,
      member_id: op.member_id,
      store_id: op.store_id,
      register_id: op.register_id,
      request: {
        type: "purchase",
        card: op.card!,
        cheque: change.cheque ?? op.cheque!,
        payments: change.payments ?? op.payments ?? [],
        accrue_points: change.accrue_points ?? op.accrue_points ?? false,
      },
      policy,
      now,
    },
    { ...account, held, incoming },
    null,
  );
  if (isRefusal(plan)) return plan;
  plan.operation.created_at = op.created_at;
  plan.operation.expires_at = op.expires_at;
  plan.version = record.version;
  return plan;
}
