/**
 * A rule's or an object's "no": one of API.md's error codes, a message in words and the code's details. It names no
 * HTTP status: `ERROR_CODES` maps each code to its one status where answers leave — as a thrown error (the error
 * handler) or as a decided answer (what an object stores for an idempotent replay).
 */
import { retryHeaders, statusOf, type ErrorCode } from "./error-codes";
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

/** A refusal's answer: its status, the one error shape, and `Retry-After` when it says when to try again. */
export function refusalOutcome(refusal: Refusal): Decided {
  const headers = retryHeaders(refusal.details);
  return {
    status: statusOf(refusal.code),
    body: { error: { code: refusal.code, message: refusal.message, details: refusal.details } },
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}
