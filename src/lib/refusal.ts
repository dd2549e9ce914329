/**
 * A rule's or an object's "no": one of API.md's error codes, a message in words and the code's details. It names no
 * HTTP status: `ERROR_CODES` maps each code to its one status where answers leave — as a thrown error (the error
 * handler) or as a decided answer (what an object stores for an idempotent replay).
 */
import { ERROR_CODES, type ErrorCode } from "./error-codes";
import type { Decided } from "./outcome";

export interface Refusal {
  refused: true;
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

export const refuse = (code: ErrorCode, message: string, details: Record<string, unknown> = {}): Refusal => ({ refused: true, code, message, details });

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === "object" && value !== null && (value as { refused?: unknown }).refused === true;
}

/** The HTTP status of a code (API.md): the one table. */
const statusOf = (code: ErrorCode): number => ERROR_CODES[code].status;

/** A refusal's answer: its status, the one error shape, and `Retry-After` when it says when to try again. */
export function refusalOutcome(refusal: Refusal): Decided {
  const retryAfter = refusal.details.retry_after;
  return {
    status: statusOf(refusal.code),
    body: { error: { code: refusal.code, message: refusal.message, details: refusal.details } },
    ...(typeof retryAfter === "number" ? { headers: { "retry-after": String(retryAfter) } } : {}),
  };
}
