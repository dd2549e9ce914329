import type { AuditEntry } from "../audit/audit-chain";
import { retryHeaders, statusOf } from "./error-codes";
import { isRefusal, type Refusal } from "./refusal";

/**
 * What a rule or an object call answers: `Done` (its value, and the audit entry of a change it made) or a `Refusal`
 * (lib/refusal.ts). Neither names an HTTP status: the route's endpoint turns a result into an answer (`answerOf`).
 * The account's hot calls (create, confirm) say their value as JSON text: one string crosses the RPC boundary
 * instead of a cloned object graph that the Worker would then serialize again.
 */
export type Done<T> = { refused: false; value: T; audit?: AuditEntry } | { refused: false; json: string; audit?: AuditEntry };
export type Result<T> = Done<T> | Refusal;

export const done = <T>(value: T, audit?: AuditEntry): Done<T> => ({ refused: false, value, ...(audit ? { audit } : {}) });

/** The same result with its value turned into text (done once, where the value is made). */
export const doneAsText = <T>(result: Result<T>): Result<T> =>
  result.refused || "json" in result ? result : { refused: false, json: JSON.stringify(result.value), ...(result.audit ? { audit: result.audit } : {}) };

/** The value of a result that is done (as the object made it, or parsed from its text). */
export const valueOf = <T>(result: Done<T>): T => ("json" in result ? (JSON.parse(result.json) as T) : result.value);

/** An answer, ready to be sent as JSON: what a route's endpoint sends, whether a route, D1 or an object decided it. */
interface Decided {
  status: number;
  body: object;
  headers?: Record<string, string>;
  /** The audit entry of a change an object decided (also in its outbox); the endpoint writes it, never sends it. */
  audit?: AuditEntry;
}

/** A file to download (a day's archive): its bytes, sent as they are with the route's own content type. */
export interface FileAnswer {
  status: number;
  file: ArrayBuffer | ReadableStream;
  headers: Record<string, string>;
  audit?: undefined;
}

export type Outcome = Decided | { status: number; json: string; headers?: Record<string, string>; audit?: AuditEntry } | FileAnswer;

/** A refusal's answer: its status from the one table, the one error shape, and `Retry-After` when it says when. */
function refusalOutcome(refusal: Refusal): Decided {
  const headers = retryHeaders(refusal.details);
  return {
    status: statusOf(refusal.code),
    body: { error: { code: refusal.code, message: refusal.message, details: refusal.details } },
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

/** A result as an answer: a refusal by its code, a value with the status the route documents for success. */
export function answerOf(result: Outcome | Result<unknown>, status: number): Outcome {
  if (!("refused" in result)) return result;
  if (isRefusal(result)) return refusalOutcome(result);
  const audit = result.audit ? { audit: result.audit } : {};
  return "json" in result ? { status, json: result.json, ...audit } : { status, body: result.value as object, ...audit };
}

/** The answer's body as JSON text. */
export const textOf = (outcome: Outcome): string => ("json" in outcome ? outcome.json : "file" in outcome ? "" : JSON.stringify(outcome.body));
