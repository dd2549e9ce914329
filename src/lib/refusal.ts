/**
 * A rule's or an object's "no": one of API.md's error codes, a message in words and the code's details. It names no
 * HTTP status: `ERROR_CODES` maps each code to its one status where answers leave (lib/outcome.ts `answerOf`, the
 * error handler for a thrown `ApiError`).
 */
import type { ErrorCode } from "./error-codes";

/** A detail of a refusal: plain data (so a refusal crosses an RPC boundary with its type intact). */
export type Details = Record<string, string | number | boolean | null | undefined | object>;

export interface Refusal {
  refused: true;
  code: ErrorCode;
  message: string;
  details: Details;
}

export const refuse = (code: ErrorCode, message: string, details: Details = {}): Refusal => ({ refused: true, code, message, details });

/** Whether a result is a refusal (also a result that crossed an RPC boundary, whose type the stub rewrote). */
export function isRefusal<T>(value: T): value is Extract<T, { refused: true }> {
  return typeof value === "object" && value !== null && (value as { refused?: unknown }).refused === true;
}
