/**
 * The SMS code steps inside an account's transaction: an operation's points-deduction code and the member's
 * sign-in code (purpose "login"), each kept as its HMAC, within the send limits; one attempt compares in constant time.
 */
import { decideIssue, decideVerify, newCode, type CodeState } from "../auth/one-time-code";
import { constantTimeEqual } from "../lib/crypto";
import { refuse, type Refusal } from "../lib/refusal";
import type { AccountStorage } from "./account-storage";
import type { OperationRecord } from "./operation";

/** The purpose of a member's sign-in code (an operation's code has the operation's id). */
export const LOGIN = "login";

/** Why an operation cannot take an SMS code step now (null: it can). */
export function smsStepRefusal(record: OperationRecord): Refusal | null {
  const op = record.operation;
  if (op.status !== "pending") return refuse("operation_not_pending", `The operation is ${op.status}`, { status: op.status });
  if (record.steps.sms_code === undefined) {
    return refuse("sms_code_not_required", "This operation does not need an SMS code", { authorization: op.authorization });
  }
  if (record.steps.sms_code === "verified") return refuse("already_verified", "The code for this operation was already verified");
  return null;
}

/** Records a new code (voiding the one before), unless the send limits refuse it. */
export function issueCode(ledger: AccountStorage, purpose: string, hash: string, now: number): CodeState | Refusal {
  const sends = ledger.sends(purpose, now - 3600_000);
  const refusal = decideIssue(sends.all, sends.last, now);
  if (refusal) return refusal;
  const state = newCode(purpose, hash, now);
  ledger.saveCode(state);
  ledger.logSend(purpose, now);
  return state;
}

/** One attempt: compares the hashes in constant time; a wrong one costs an attempt, the right one is used up. */
export function attemptCode(ledger: AccountStorage, purpose: string, hash: string, now: number): Refusal | null {
  const state = ledger.code(purpose);
  const matches = state !== null && constantTimeEqual(state.hash, hash);
  const decision = decideVerify(state, matches, now);
  if (decision.kind === "refuse") return decision.refusal;
  if (decision.kind === "wrong") {
    ledger.saveCode(decision.state);
    return decision.refusal;
  }
  ledger.deleteCode(purpose);
  return null;
}
