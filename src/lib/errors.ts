import { refusalOutcome, type Refusal } from "./refusal";

/** An API refusal: a status and a code from API.md, turned into the one error shape by the app's error handler. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type ErrorBody = { error: { code: string; message: string; details: Record<string, unknown> } };

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}

export const invalidRequest = (message: string, details: Record<string, unknown> = {}) =>
  new ApiError(400, "invalid_request", message, details);

export const notFound = (code: string, what: string) => new ApiError(404, code, `${what} not found`);

/** A rule's refusal as the error a route throws: the same status and headers as its answer (`refusalOutcome`). */
export function refusalError(refusal: Refusal): ApiError {
  const { status, headers } = refusalOutcome(refusal);
  return new ApiError(status, refusal.code, refusal.message, refusal.details, headers ?? {});
}
