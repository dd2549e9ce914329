/**
 * An audit entry in a merchant's words: what was done, and what changed — "Reason: lost", "Member approval needed
 * for: customer credit → customer credit, cashback", amounts in the currency, a limit as its sentence.
 */
import { limitSentence } from "../../limits/limit-words";
import type { Limit } from "../../limits/limit";
import { formatAmount, formatMoney } from "../../lib/money-format";
import { minorDigits } from "../../lib/money";
import { formatWhen } from "../../lib/time-format";

export const ACTION_WORDS: Record<string, string> = {
  "tenant.signed_up": "Created the business",
  "settings.changed": "Changed the settings",
  "store.created": "Added a store",
  "store.changed": "Changed a store",
  "register.created": "Added a cash register",
  "key.issued": "Made a key",
  "key.revoked": "Revoked a key",
  "webhook_endpoint.created": "Added a webhook endpoint",
  "webhook_endpoint.deleted": "Stopped a webhook endpoint",
  "webhook_endpoint.secret_rotated": "Made a new webhook signing secret",
  "member.created": "Added a member",
  "card.issued": "Gave a member a card",
  "card.blocked": "Blocked a card",
  "card.unblocked": "Unblocked a card",
  "card.replaced": "Replaced a card",
  "limit.created": "Added a limit",
  "limit.deleted": "Removed a limit",
  "staff.invited": "Invited someone",
  "staff.invite_accepted": "Joined the team",
  "staff.role_changed": "Changed someone's role",
  "staff.removed": "Removed someone",
  "staff.password_changed": "Changed their password",
  "member.sessions_revoked": "Signed a member out everywhere",
  "member.portal_link_created": "Made a sign-in link for a member",
  "alert.acknowledged": "Looked into an alert",
  "alert.resolved": "Resolved an alert",
  "balance.manual_accrual": "Added to a balance by hand",
  "balance.manual_deduction": "Took from a balance by hand",
  "operation.cancelled": "Cancelled a hold the till left open",
};

const FIELD_WORDS: Record<string, string> = {
  name: "Name",
  currency: "Currency",
  timezone: "Time zone",
  approval_required_for: "Member approval needed for",
  point_value: "Value of a point",
  hold_ttl_seconds: "Holds last",
  history_retention_days: "History kept",
  sms_confirm_points_deduction: "SMS code needed to pay with points",
  sms_per_hour: "SMS messages per hour",
  sms_signin_per_hour: "Sign-in codes per hour",
  refund_when_points_spent: "Refund when the points earned are spent",
  allowed_origins: "Web tills allowed",
  store_id: "Store",
  register_id: "Register",
  terminal_key_id: "Till key",
  kind: "Key type",
  prefix: "Key",
  revoked_at: "Revoked",
  last_used_at: "Last used",
  url: "Address",
  events: "Events",
  previous_valid_until: "Old secret signs until",
  phone: "Phone",
  email: "Email",
  role: "Role",
  number: "Card",
  card: "Card",
  status: "Status",
  block_reason: "Reason",
  replaced_by: "Replaced by",
  method: "Balance",
  amount: "Amount",
  reason: "Reason",
  revoked: "Sessions ended",
  note: "Note",
  resolution_note: "Note",
  acknowledged_at: "Looked into",
  acknowledged_by: "Looked into by",
  resolved_at: "Resolved",
  resolved_by: "Resolved by",
};

/** Fields that say which record it is rather than what changed (a card's number is the entry's subject). */
const HIDDEN = new Set(["id", "number", "created_at", "member_id", "tenant_id"]);

const METHOD_WORDS: Record<string, string> = { credit: "customer credit", cashback: "cashback", points: "bonus points" };

export interface AuditContext {
  currency: string;
  timeZone: string;
  /** Store and register names by id. */
  places: Map<string, string>;
  /** Staff emails by id. */
  people: Map<string, string>;
}

type Fields = Record<string, unknown>;

function show(key: string, value: unknown, record: Fields, context: AuditContext): string {
  if (value === null || value === undefined || value === "") return "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (key === "amount" && typeof value === "number" && typeof record.method === "string") return formatAmount(record.method, value, context.currency);
  if (key === "method" && typeof value === "string") return METHOD_WORDS[value] ?? value;
  if (key === "point_value" && typeof value === "number") return formatMoney(value, context.currency);
  if (key === "hold_ttl_seconds" && typeof value === "number") return value % 60 === 0 ? `${value / 60} minutes` : `${value} seconds`;
  if (key === "history_retention_days" && typeof value === "number") return `${value} days`;
  if ((key === "store_id" || key === "register_id") && typeof value === "string") return context.places.get(value) ?? value;
  if ((key === "acknowledged_by" || key === "resolved_by") && typeof value === "string") return context.people.get(value) ?? "someone no longer on the team";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map((v) => (typeof v === "string" ? (METHOD_WORDS[v] ?? v) : JSON.stringify(v))).join(", ");
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return formatWhen(value, context.timeZone);
  return typeof value === "string" ? value : JSON.stringify(value);
}

function label(key: string, context: AuditContext): string {
  if (key === "points_per_currency_unit") return `Points earned per ${formatMoney(10 ** minorDigits(context.currency), context.currency)}`;
  return FIELD_WORDS[key] ?? key.charAt(0).toUpperCase() + key.slice(1).replaceAll("_", " ");
}

/** What an entry changed: the fields whose value differs before and after (or what was made, or removed). */
export function changesOf(action: string, before: unknown, after: unknown, context: AuditContext): string[] {
  if (before == null && after == null) return [];
  if (action === "limit.created" || action === "limit.deleted") {
    const limit = (after ?? before) as Limit;
    return [limitSentence(limit, context.currency, { places: context.places })];
  }
  const b = (before ?? {}) as Fields;
  const a = (after ?? {}) as Fields;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((key) => !HIDDEN.has(key));
  if (before == null) return keys.filter((key) => a[key] !== null && a[key] !== undefined).map((key) => `${label(key, context)}: ${show(key, a[key], a, context)}`);
  if (after == null) return keys.filter((key) => b[key] !== null && b[key] !== undefined).map((key) => `${label(key, context)} was ${show(key, b[key], b, context)}`);
  return keys.filter((key) => JSON.stringify(b[key]) !== JSON.stringify(a[key])).map((key) => `${label(key, context)}: ${show(key, b[key], b, context)} → ${show(key, a[key], a, context)}`);
}
