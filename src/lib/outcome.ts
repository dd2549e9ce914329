import type { AuditEntry } from "../audit/audit-chain";

/**
 * A decided answer, ready to be sent as JSON: the same value whether it came from a route, D1 or a Durable Object.
 * The account's hot calls (create, confirm) answer with `json`, the body already as text: one string crosses the
 * RPC boundary instead of a cloned object graph that the Worker would then serialize again.
 */
export interface Decided {
  status: number;
  body: object;
  headers?: Record<string, string>;
  /** The audit entry of a change the object decided (also in its outbox); the endpoint writes it, never sends it. */
  audit?: AuditEntry;
}

export type Outcome = Decided | { status: number; json: string; headers?: Record<string, string>; audit?: AuditEntry };

/** The answer's body as a value. */
export const bodyOf = (outcome: Outcome): object => ("json" in outcome ? (JSON.parse(outcome.json) as object) : outcome.body);

/** The answer's body as JSON text. */
export const textOf = (outcome: Outcome): string => ("json" in outcome ? outcome.json : JSON.stringify(outcome.body));

/** The same answer with its body turned into text (done once, where the body is made). */
export const answerAsText = (outcome: Outcome): Outcome =>
  "json" in outcome
    ? outcome
    : { status: outcome.status, json: JSON.stringify(outcome.body), ...(outcome.headers ? { headers: outcome.headers } : {}), ...(outcome.audit ? { audit: outcome.audit } : {}) };
