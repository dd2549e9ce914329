/**
 * Every object of a tenant carries `livemode` (API.md, test mode): whatever in an answer has an `id`, and cards, at
 * any depth — but an audit entry's `before` and `after`, kept as written. Added where answers and live messages
 * leave, so no object can forget it.
 */
import type { Outcome } from "../lib/outcome";

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
/** An object of the tenant: it has an id, or it is a card (known by its number). */
const isObject = (value: Json) => typeof value.id === "string" || (typeof value.number === "string" && typeof value.status === "string");

/** An audit entry's record of before and after stays as it was written. */
const AS_WRITTEN = new Set(["before", "after"]);

/** An event goes out as it was logged, as webhooks receive it (its payload says livemode itself). */
const isEvent = (value: Json) => typeof value.id === "string" && value.id.startsWith("evt_") && "data" in value;

/** The value with `livemode` on every object of the tenant in it. */
function marked(value: unknown, livemode: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => marked(item, livemode));
  if (!isRecord(value)) return value;
  if (isEvent(value)) return { ...value, livemode: typeof value.livemode === "boolean" ? value.livemode : livemode };
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) out[key] = AS_WRITTEN.has(key) ? inner : marked(inner, livemode);
  return isObject(value) ? { ...out, livemode } : out;
}

/** The outcome with `livemode` on its objects; errors and non-JSON answers (CSV) go as they are. */
export function withLivemode(outcome: Outcome, livemode: boolean): Outcome {
  if (outcome.status >= 300 || "file" in outcome || outcome.headers?.["content-type"]) return outcome;
  if ("json" in outcome) {
    // The account's hot answers are one operation as text (no object with an id inside it): marked without parsing
    // it again. Any other text is parsed and marked like a body.
    if (outcome.json.startsWith('{"id":"op_')) return { ...outcome, json: `{"livemode":${livemode},${outcome.json.slice(1)}` };
    const body = JSON.parse(outcome.json) as unknown;
    return isRecord(body) ? { ...outcome, json: JSON.stringify(marked(body, livemode)) } : outcome;
  }
  return isRecord(outcome.body) ? { ...outcome, body: marked(outcome.body, livemode) as object } : outcome;
}

/** A live message as text for a socket of a live or a test tenant, each made once however many sockets get it. */
export function messageText(message: unknown): (livemode: boolean) => string {
  const texts = new Map<boolean, string>();
  return (livemode) => texts.get(livemode) ?? texts.set(livemode, JSON.stringify(marked(message, livemode))).get(livemode)!;
}
