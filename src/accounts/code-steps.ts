/**
 * The SMS code steps inside an account's transaction: an operation's points-deduction code and the member's
 * sign-in code (purpose "login"), each kept as its HMAC, within the send limits; one attempt compares in constant time.
 */
import { decideIssue, decideVerify, newCode, type CodeState } from "../auth/one-time-code";
import { constantTimeEqual } from "../lib/crypto";
import { refuse, type Refusal } from "../lib/refusal";
import { done, type Result } from "../lib/outcome";
import { isRefusal } from "../lib/refusal";
import type { AccountRef, OperationScope } from "./account-ref";
import type { AccountStorage } from "./account-storage";
import { operationNotFound, type AccountTx } from "./account-tx";
import { setStep } from "./authorization";
import type { Operation, OperationRecord } from "./operation";

/** A code recorded for an operation's SMS step (the route sends it, or takes it back with `forgetCode`). */
export interface IssuedCode {
  expires_at: string;
  issued_at: number;
  operation: Operation;
}

/** The purpose of a member's sign-in code (an operation's code has the operation's id). */
const LOGIN = "login";

/** Why an operation cannot take an SMS code step now (null: it can). */
function smsStepRefusal(record: OperationRecord): Refusal | null {
  const op = record.operation;
  if (op.status !== "pending") return refuse("operation_not_pending", `The operation is ${op.status}`, { status: op.status });
  if (record.steps.sms_code === undefined) {
    return refuse("sms_code_not_required", "This operation does not need an SMS code", { authorization: op.authorization });
  }
  if (record.steps.sms_code === "verified") return refuse("already_verified", "The code for this operation was already verified");
  return null;
}

/** Records a new code (voiding the one before), unless the send limits refuse it. */
function issueCode(ledger: AccountStorage, purpose: string, hash: string, now: number): CodeState | Refusal {
  const sends = ledger.codes.sends(purpose, now - 3600_000);
  const refusal = decideIssue(sends.all, sends.last, now);
  if (refusal) return refusal;
  const state = newCode(purpose, hash, now);
  ledger.codes.saveCode(state);
  ledger.codes.logSend(purpose, now);
  return state;
}

/** One attempt: compares the hashes in constant time; a wrong one costs an attempt, the right one is used up. */
function attemptCode(ledger: AccountStorage, purpose: string, hash: string, now: number): Refusal | null {
  const state = ledger.codes.code(purpose);
  const matches = state !== null && constantTimeEqual(state.hash, hash);
  const decision = decideVerify(state, matches, now);
  if (decision.kind === "refuse") return decision.refusal;
  if (decision.kind === "wrong") {
    ledger.codes.saveCode(decision.state);
    return decision.refusal;
  }
  ledger.codes.deleteCode(purpose);
  return null;
}

/**
 * Records a new code (its HMAC, made by the route) for an operation's SMS step, voiding the one before, within the
 * send limits. The route sends the SMS afterwards, and calls `forgetCode` if the provider refuses it.
 */
export function issueOperationCode(tx: AccountTx, id: string, scope: OperationScope, hash: string, now: number): Result<IssuedCode> {
  const record = tx.scoped(id, scope);
  if (!record) return operationNotFound();
  const refusal = smsStepRefusal(record);
  if (refusal) return refusal;
  const issued = issueCode(tx.ledger, id, hash, now);
  if (isRefusal(issued)) return issued;
  setStep(record, "sms_code", "pending");
  tx.ledger.saveRecord(record, now);
  return done({ expires_at: new Date(issued.expires_at).toISOString(), issued_at: issued.issued_at, operation: record.operation });
}

export function verifyOperationCode(tx: AccountTx, id: string, scope: OperationScope, hash: string, now: number): Result<Operation> {
  const record = tx.scoped(id, scope);
  if (!record) return operationNotFound();
  const refusal = smsStepRefusal(record) ?? attemptCode(tx.ledger, id, hash, now);
  if (refusal) return refusal;
  setStep(record, "sms_code", "verified");
  tx.ledger.saveRecord(record, now);
  return done(record.operation);
}

/** A member signing in on the hosted page: the same rules, with "login" as the purpose. */
export function issueLoginCode(tx: AccountTx, account: AccountRef, hash: string, now: number): Result<{ issued_at: number }> {
  tx.remember(account);
  const issued = issueCode(tx.ledger, LOGIN, hash, now);
  return isRefusal(issued) ? issued : done({ issued_at: issued.issued_at });
}

export function verifyLoginCode(tx: AccountTx, hash: string, now: number): Result<{ verified: true }> {
  return attemptCode(tx.ledger, LOGIN, hash, now) ?? done({ verified: true as const });
}

/** Takes back a code whose SMS the provider refused: its send, and the operation's step when no code is left. */
export function forgetCode(tx: AccountTx, purpose: string, issuedAt: number, now: number): void {
  tx.ledger.codes.forgetSend(purpose, issuedAt);
  const record = purpose === LOGIN ? null : tx.ledger.record(purpose);
  if (record && record.steps.sms_code === "pending" && !tx.ledger.codes.code(purpose)) {
    setStep(record, "sms_code", "required");
    tx.ledger.saveRecord(record, now);
  }
}
