/**
 * Limit evaluation, pure: which limits an operation touches, what it adds to each counter, and whether that passes a
 * hard bound (refuse), a soft upper bound (refuse), or a soft lower bound (alert once per limit, subject and window).
 * Shared by the AccountDO (card limits) and the StoreDO (register and store limits).
 */
import { MAX_AMOUNT, outOfRange } from "../lib/money";
import { METHODS, type Method } from "../accounts/operation";
import { mulDiv } from "../accounts/refund";
import { windowOf } from "./calendar";
import type { Alert, Limit, OperationFacts } from "./limit";
import { refuse, type Refusal } from "../lib/refusal";

export interface Counter {
  value: number;
  soft_alerted: boolean;
}

/** A counter key: which limit, whose counter (card, card@register, register, store), which period window. */
export interface CounterKey {
  limit_id: string;
  subject: string;
  window: string;
}

/**
 * Which figure of an operation a counter counted: its deductions (of one method, or all), its accruals, or the
 * operation itself. A refund gives a counter back exactly its share of that figure.
 */
export type CounterBasis = `deducted:${Method | "all"}` | `accrued:${Method | "all"}` | "count";

export interface CounterChange extends CounterKey {
  amount: number;
  /** Absent on reservations counted before bases were kept: a refund gives those back in proportion. */
  basis?: CounterBasis | null;
}

/** What a confirmed refund moves: the confirmed part of the cheque from `before` to `after`, and its own shares. */
export interface RefundGiveBack {
  total: number;
  before: number;
  after: number;
  /** What the refund gives back per method (its credits); absent on messages written before shares travelled. */
  credits?: Partial<Record<Method, number>>;
  /** Accrued points the refund takes back. */
  take_back?: number;
}

export type NewAlert = Omit<Alert, "id" | "created_at">;

export interface LimitRefusal {
  limit_id: string;
  scope: Limit["scope"];
  scope_id: string;
  metric: Limit["metric"];
  period: Limit["period"];
  /** The limit's method (null: a count, or an amount over every method). */
  method: Limit["method"] | null;
  bound: number;
  current: number;
  attempted: number;
}

/** Limits of one sale come first: when several would refuse, the one named is the one that refuses whatever came before. */
const PERIOD_ORDER: Record<Limit["period"], number> = { operation: 0, day: 1, week: 2, month: 3, lifetime: 4 };

export interface LimitDecision {
  refusal: LimitRefusal | null;
  /** A counter this operation would take past 2^53−1: refused, with no alert. */
  outOfRange: Refusal | null;
  /** Added to counters when the operation goes through (none when it is refused). */
  changes: CounterChange[];
  /** Soft-crossed alerts when it goes through, or the one `limit.blocked` when it is refused. */
  alerts: NewAlert[];
  /** Counters whose soft alert has now been raised for their window. */
  softMarks: CounterKey[];
}

export function appliesTo(limit: Limit, facts: OperationFacts): boolean {
  if (limit.scope === "card") return facts.card !== null && (limit.scope_id === null || limit.scope_id === facts.card);
  if (limit.scope === "register") return limit.scope_id === null || limit.scope_id === facts.register_id;
  return limit.scope_id === null || limit.scope_id === facts.store_id;
}

/** Whose counter: the card (per register or store when asked), the register, or the store. */
export function subjectOf(limit: Limit, facts: OperationFacts): string {
  if (limit.scope === "card") {
    if (limit.per === "register") return `${facts.card}@${facts.register_id}`;
    if (limit.per === "store") return `${facts.card}@${facts.store_id}`;
    return facts.card!;
  }
  return limit.scope === "register" ? facts.register_id : facts.store_id;
}

function scopeIdOf(limit: Limit, facts: OperationFacts): string {
  if (limit.scope === "card") return facts.card!;
  return limit.scope === "register" ? facts.register_id : facts.store_id;
}

function sumFor(amounts: OperationFacts["holds"], method: Method | null): number {
  return method ? (amounts[method] ?? 0) : METHODS.reduce((sum, m) => sum + (amounts[m] ?? 0), 0);
}

/** What the operation adds to a limit's metric (0: the limit does not look at it). */
export function contribution(limit: Limit, facts: OperationFacts): number {
  const { type } = facts;
  switch (limit.metric) {
    case "accrued_amount":
      return type === "purchase" || type === "top_up" ? sumFor(facts.credits, limit.method) : 0;
    case "deducted_amount":
      return type === "purchase" ? sumFor(facts.holds, limit.method) : 0;
    case "manual_accrued_amount":
      return type === "manual_accrual" ? sumFor(facts.credits, limit.method) : 0;
    case "manual_deducted_amount":
      return type === "manual_deduction" ? sumFor(facts.holds, limit.method) : 0;
    case "accrual_count":
      return (type === "purchase" || type === "top_up" || type === "manual_accrual") && sumFor(facts.credits, limit.method) > 0 ? 1 : 0;
    case "manual_operation_count":
      return type === "manual_accrual" || type === "manual_deduction" ? 1 : 0;
    case "purchase_count":
      return type === "purchase" ? 1 : 0;
    case "balance":
      return limit.scope === "card" && type !== "refund" ? sumFor(facts.credits, limit.method) : 0;
  }
}

export function evaluateLimits(
  limits: Limit[],
  facts: OperationFacts,
  now: number,
  timeZone: string,
  counter: (key: CounterKey) => Counter,
): LimitDecision {
  const changes: CounterChange[] = [];
  const alerts: NewAlert[] = [];
  const softMarks: CounterKey[] = [];
  for (const limit of [...limits].sort((a, b) => PERIOD_ORDER[a.period] - PERIOD_ORDER[b.period])) {
    if (!appliesTo(limit, facts)) continue;
    const attempted = contribution(limit, facts);
    if (attempted <= 0) continue;
    const key: CounterKey = { limit_id: limit.id, subject: subjectOf(limit, facts), window: windowOf(limit.period, now, timeZone, facts.id) };
    const stored = limit.period === "operation" ? { value: 0, soft_alerted: false } : counter(key);
    const current =
      limit.metric === "balance" ? (limit.method ? (facts.projectedBalance?.[limit.method] ?? 0) : 0) : stored.value;
    const reached = current + attempted;
    const alertBase = {
      limit_id: limit.id,
      scope: limit.scope,
      scope_id: scopeIdOf(limit, facts),
      metric: limit.metric,
      period: limit.period,
      operation_id: facts.id,
    };
    const upper = limit.hard ?? limit.soft!.upper;
    if (reached > upper) {
      const { operation_id: _operation, ...where } = alertBase;
      return {
        refusal: { ...where, method: limit.method ?? null, bound: upper, current, attempted },
        // Every bound is at most 2^53−1, so a counter that would pass it is over its bound too: refused as out of
        // range (the figure would no longer be exact), and the security team still hears of it.
        outOfRange: reached > MAX_AMOUNT ? outOfRange(limit.method ?? null, "limit counter") : null,
        changes: [],
        alerts: [{ ...alertBase, type: "limit.blocked", bound: upper, value: Math.min(reached, MAX_AMOUNT) }],
        softMarks: [],
      };
    }
    if (limit.soft && reached > limit.soft.lower && !stored.soft_alerted) {
      alerts.push({ ...alertBase, type: "limit.soft_crossed", bound: limit.soft.lower, value: reached });
      if (limit.period !== "operation" && limit.metric !== "balance") softMarks.push(key);
    }
    if (limit.period !== "operation" && limit.metric !== "balance") changes.push({ ...key, amount: attempted, basis: basisOf(limit) });
  }
  return { refusal: null, outOfRange: null, changes, alerts, softMarks };
}

function basisOf(limit: Limit): CounterBasis {
  const method = limit.method ?? "all";
  if (limit.metric === "deducted_amount" || limit.metric === "manual_deducted_amount") return `deducted:${method}`;
  if (limit.metric === "accrued_amount" || limit.metric === "manual_accrued_amount") return `accrued:${method}`;
  return "count";
}

/**
 * What a confirmed refund gives back of what its original counted. Amount counters move by exactly the refund's
 * shares — deductions by what it gives back of that method, accruals by the points it takes back — so over all
 * refunds they get back at most what they counted (shares never sum past what was paid or accrued). Counts, and
 * reservations kept before bases were, move in proportion to the confirmed part of the cheque, which only grows:
 * `floor(counted × after / total) − floor(counted × before / total)`.
 */
export function refundGiveBack(counted: CounterChange[], refund: RefundGiveBack): CounterChange[] {
  const share = (change: CounterChange): number => {
    const [kind, method] = (change.basis ?? "count").split(":") as [string, Method | "all" | undefined];
    if (kind === "count" || refund.credits === undefined) {
      return refund.total <= 0 ? 0 : mulDiv(change.amount, refund.after, refund.total) - mulDiv(change.amount, refund.before, refund.total);
    }
    if (kind === "accrued") return method === "all" || method === "points" ? (refund.take_back ?? 0) : 0;
    const credits = refund.credits;
    return method === "all" ? METHODS.reduce((sum, m) => sum + (credits[m] ?? 0), 0) : (credits[method!] ?? 0);
  };
  return counted.map((change) => ({ ...change, amount: Math.min(change.amount, share(change)) })).filter((change) => change.amount > 0);
}

/** Why a decision refuses the operation, as the refusal a caller answers with (null: it goes through). */
export function decisionRefusal(decision: LimitDecision): Refusal | null {
  return decision.outOfRange ?? (decision.refusal ? limitExceeded(decision.refusal) : null);
}

const PER: Record<Limit["period"], string> = { operation: "in one operation", day: "a day", week: "a week", month: "a month", lifetime: "in all" };
const MAY: Record<Limit["metric"], (bound: number, unit: string) => string> = {
  deducted_amount: (b, u) => `may spend at most ${b} ${u}`,
  accrued_amount: (b, u) => `may earn at most ${b} ${u}`,
  manual_accrued_amount: (b, u) => `may be given at most ${b} ${u} by hand`,
  manual_deducted_amount: (b, u) => `may have at most ${b} ${u} taken by hand`,
  accrual_count: (b) => `may earn at most ${b} times`,
  manual_operation_count: (b) => `may have at most ${b} manual operations`,
  purchase_count: (b) => `may make at most ${b} purchases`,
  balance: (b, u) => `may hold at most ${b} ${u}`,
};

/**
 * The `limit_exceeded` refusal, with what the cashier needs to say why: whose limit, of what, over which period, and
 * how much of it is left (money in minor units; the register page words it in the currency).
 */
export function limitExceeded(refusal: LimitRefusal): Refusal {
  const whose = refusal.scope === "card" ? "This card" : refusal.scope === "register" ? "This register" : "This store";
  const unit = refusal.method === "points" ? "points" : `of ${refusal.method ?? "credit, cashback and points together"} (minor units)`;
  const per = refusal.metric === "balance" ? "" : ` ${PER[refusal.period]}`;
  const left = refusal.period === "operation" || refusal.metric === "balance" ? "" : `: ${Math.max(0, refusal.bound - refusal.current)} left`;
  return refuse("limit_exceeded", `${whose} ${MAY[refusal.metric](refusal.bound, unit)}${per}${left}; this operation asks for ${refusal.attempted}`, { ...refusal });
}
