/**
 * A rule's or an object's "no": one of API.md's error codes, a message in words and the code's details. It names no
 * HTTP status: `ERROR_CODES` maps each code to its one status where answers leave (lib/outcome.ts `answerOf`, the
 * error handler for a thrown `ApiError`).
 */
import type { z } from "zod";
import type { ERROR_CODES, ErrorCode } from "./error-codes";

/** The details a code carries, as its schema in `ERROR_CODES` says (API.md). */
export type DetailsOf<C extends ErrorCode> = z.input<(typeof ERROR_CODES)[C]["details"]>;

/** A detail of a refusal: plain data (so a refusal crosses an RPC boundary with its type intact). */
export type Details = Record<string, string | number | boolean | null | undefined | object>;

export interface Refusal {
  refused: true;
  code: ErrorCode;
  message: string;
  details: Details;
}

/** A refusal with its code's details: a code whose details have required fields cannot be refused without them. */
export function refuse<C extends ErrorCode>(code: C, message: string, ...[details]: {} extends DetailsOf<C> ? [details?: DetailsOf<C>] : [details: DetailsOf<C>]): Refusal {
  return { refused: true, code, message, details: (details ?? {}) as Details };
}

/** Whether a result is a refusal (also a result that crossed an RPC boundary, whose type the stub rewrote). */
export function isRefusal<T>(value: T): value is Extract<T, { refused: true }> {
  return typeof value === "object" && value !== null && (value as { refused?: unknown }).refused === true;
}

/** A repeated Idempotency-Key whose request differs from the first (the account's and the store's answer alike). */
export const keyReused = (): Refusal => refuse("idempotency_key_reused", "This Idempotency-Key was already used with a different request");
