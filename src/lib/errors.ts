import { retryHeaders, statusOf, type ErrorCode } from "./error-codes";
import type { Refusal } from "./refusal";

/**
 * An API refusal thrown by a route: a code from API.md, a message in words and the code's details. Its status and
 * headers come from the code (`statusOf`, `retryHeaders`); the app's error handler turns it into the one error shape.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = statusOf(code);
    this.headers = retryHeaders(details);
  }
}

export type ErrorBody = { error: { code: string; message: string; details: Record<string, unknown> } };

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}

export const invalidRequest = (message: string, details: Record<string, unknown> = {}) =>
  new ApiError("invalid_request", message, details);

export const notFound = (code: ErrorCode, what: string) => new ApiError(code, `${what} not found`);

/** A rule's refusal as the error a route throws. */
export const refusalError = (refusal: Refusal): ApiError => new ApiError(refusal.code, refusal.message, refusal.details);
