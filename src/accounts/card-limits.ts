/**
 * The card limits of a planned operation, checked and counted inside the account's transaction (the StoreDO
 * counts the register and store limits). A refusal raises `limit.blocked`; passing a soft bound raises
 * `limit.soft_crossed`; the alerts ride the account's outbox.
 */
import { newId } from "../lib/ids";
import type { Refusal } from "../lib/refusal";
import { decisionRefusal, evaluateLimits, type Counter, type CounterKey } from "../limits/evaluate";
import type { OperationFacts } from "../limits/limit";
import type { LimitCheck } from "./account-ref";
import type { AccountStorage } from "./account-storage";
import { METHODS, type OperationRecord } from "./operation";

export function countCardLimits(
  ledger: AccountStorage,
  plan: OperationRecord,
  check: LimitCheck | undefined,
  now: number,
  counter: (key: CounterKey) => Counter,
  beforeCounting?: () => void,
): Refusal | null {
  if (!check || check.card.length === 0) return null;
  const op = plan.operation;
  const projectedBalance = ledger.pendingCredits(op.id);
  const { balances } = ledger.view();
  for (const method of METHODS) projectedBalance[method] += balances[method];
  const facts: OperationFacts = {
    id: op.id,
    type: op.type,
    card: op.card,
    register_id: op.register_id,
    store_id: op.store_id,
    holds: plan.holds,
    credits: plan.credits,
    projectedBalance,
  };
  const decision = evaluateLimits(check.card, facts, now, check.time_zone, counter);
  for (const alert of decision.alerts) ledger.enqueueAlert({ ...alert, id: newId("alt"), created_at: new Date(now).toISOString() });
  const refusal = decisionRefusal(decision);
  if (refusal) return refusal;
  beforeCounting?.();
  ledger.counters.reserve(op.id, decision.changes, decision.softMarks);
  if (decision.changes.length > 0) plan.counted = true;
  return null;
}
