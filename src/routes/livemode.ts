/**
 * Every object of a tenant carries `livemode` (API.md, test mode): the answer's body, each item of its list, and each
 * object it holds directly — whatever has an `id`. Added where answers leave, so no object can forget it.
 */
import type { Outcome } from "../lib/outcome";

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const mark = (value: unknown, livemode: boolean): unknown => (isRecord(value) && typeof value.id === "string" ? { ...value, livemode } : value);

function marked(body: Json, livemode: boolean): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(body)) out[key] = Array.isArray(value) ? value.map((item) => mark(item, livemode)) : mark(value, livemode);
  return typeof body.id === "string" ? { ...out, livemode } : out;
}

/** The outcome with `livemode` on its objects; errors and non-JSON answers (CSV) go as they are. */
export function withLivemode(outcome: Outcome, livemode: boolean): Outcome {
  if (outcome.status >= 300 || outcome.headers?.["content-type"]) return outcome;
  if ("json" in outcome) {
    // The account's hot answers are one operation as text: marked without parsing it again.
    return outcome.json.startsWith('{"id":') ? { ...outcome, json: `{"livemode":${livemode},${outcome.json.slice(1)}` } : outcome;
  }
  return isRecord(outcome.body) ? { ...outcome, body: marked(outcome.body, livemode) } : outcome;
}
