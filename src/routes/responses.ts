/**
 * The objects the API answers with, as zod schemas: what the OpenAPI document declares for each route, and what the
 * tests hold every answer to (strict: a field added or renamed without its schema fails a test). A schema with an
 * `id` is one named object of the document (`#/components/schemas/<id>`), shown once and referred to everywhere.
 */
import { z } from "zod";
import { METHODS, OPERATION_TYPES } from "../accounts/operation";
import * as EX from "./examples";

const id = z.string();
const time = z.string().describe("ISO-8601 UTC");
const minor = z.number().int().describe("Minor units (cents) of money, or whole points");
const method = z.enum(METHODS);
const livemode = z.boolean().describe("False for an object of a test tenant");
const authStatus = z.enum(["not_required", "required", "pending", "approved", "rejected", "verified"]);

/** A page of a list, newest first. */
export const listOf = <T extends z.ZodType>(item: T) => z.strictObject({ data: z.array(item), next_cursor: z.string().nullable() });

const balance = z.strictObject({ balance: minor, available: minor.describe("Balance less what pending operations hold") });
export const Balances = z.strictObject({ credit: balance, cashback: balance, points: balance }).meta({ id: "Balances", examples: [EX.member.balances] });

export const Payment = z.strictObject({ method, amount: minor });

export const Operation = z
  .strictObject({
    id,
    type: z.enum(OPERATION_TYPES),
    status: z.enum(["pending", "confirmed", "cancelled", "expired"]),
    card: z.string().nullable().optional(),
    member_id: id,
    store_id: id,
    register_id: id,
    cheque: z.strictObject({ number: z.string(), total: minor }).optional(),
    payments: z.array(Payment).optional(),
    accrue_points: z.boolean().optional(),
    accrual: z
      .strictObject({
        points: z.number().int().describe("Points the operation earns; a refund's are negative (taken back)"),
        points_short: minor.describe("A refund: points its part of the purchase earned that the member had already spent").optional(),
      })
      .optional(),
    deducted_for_points: minor.describe("A refund: given back this much less, in minor units, for the spent points (`accrual.points_short`)").optional(),
    withhold_outside: minor.describe("A refund: the part of `deducted_for_points` the till keeps from the cash or card it pays back (what credit, cashback and points given back could not cover)").optional(),
    original_operation_id: id.optional(),
    method: method.optional(),
    amount: minor.optional(),
    reason: z.string().optional(),
    authorization: z.strictObject({
      method: z.enum(["none", "approval", "sms_code"]),
      status: authStatus,
      steps: z.strictObject({ approval: authStatus.optional(), sms_code: authStatus.optional() }).optional(),
    }),
    expires_at: time,
    created_at: time,
    updated_at: time.describe("Changes with every change of state (long polls compare it)"),
    confirmed_at: time.nullable(),
    cancelled_at: time.nullable(),
    livemode,
  })
  .meta({ id: "Operation", description: "An operation: held, then confirmed or cancelled", examples: [EX.operation] });

export const Card = z.strictObject({
  number: z.string(),
  status: z.enum(["active", "blocked", "replaced"]),
  block_reason: z.string().nullable(),
  replaced_by: z.string().nullable(),
  member_id: id,
  livemode,
}).meta({ id: "Card", examples: [EX.card] });

const memberFields = { id, name: z.string(), phone: z.string(), external_ref: z.string().nullable(), created_at: time, livemode };
export const MemberSummary = z.strictObject(memberFields).meta({ id: "MemberSummary" });
export const Member = z.strictObject({ ...memberFields, balances: Balances, cards: z.array(Card) }).meta({ id: "Member", examples: [EX.member] });

export const HistoryEntry = z.strictObject({
  id,
  operation_id: id,
  kind: z.string(),
  method,
  amount: z.number().int().describe("Signed: negative takes from the balance"),
  balance_after: minor,
  created_at: time,
  store_id: id.nullable(),
  register_id: id.nullable(),
  livemode,
}).meta({ id: "HistoryEntry" });

export const ApprovalRequest = z.strictObject({
  id,
  operation_id: id,
  amount: minor,
  methods: z.array(method),
  payments: z.array(Payment),
  status: z.enum(["pending", "approved", "rejected", "superseded", "expired", "cancelled"]),
  store_id: id,
  store_name: z.string(),
  register_id: id,
  register_name: z.string(),
  cheque_number: z.string().nullable(),
  created_at: time,
  expires_at: time,
  answered_at: time.nullable(),
  via: z.enum(["member", "link"]).describe("Once answered: in a session the member opened, or one opened from a back-office link").optional(),
  livemode,
}).meta({ id: "ApprovalRequest", description: "A request to the member to approve the payments of an operation", examples: [EX.approvalRequest] });

export const Store = z.strictObject({ id, name: z.string(), sms_confirm_points_deduction: z.boolean(), created_at: time, livemode }).meta({ id: "Store" });
export const Register = z.strictObject({ id, store_id: id, name: z.string(), created_at: time, livemode }).meta({ id: "Register" });
export const Key = z.strictObject({
  id,
  kind: z.enum(["secret", "terminal"]),
  store_id: id.nullable(),
  register_id: id.nullable(),
  created_at: time,
  revoked_at: time.nullable(),
  last_used_at: time.nullable(),
  livemode,
}).meta({ id: "Key" });

export const Tenant = z.strictObject({ id, name: z.string(), currency: z.string(), timezone: z.string(), livemode, created_at: time }).meta({ id: "Tenant" });
export const Staff = z.strictObject({ id, email: z.string(), role: z.enum(["owner", "manager", "security"]), created_at: time, livemode }).meta({ id: "Staff" });

export const Settings = z.strictObject({
  approval_required_for: z.array(method),
  points_per_currency_unit: z.number().int(),
  point_value: z.number().int(),
  hold_ttl_seconds: z.number().int(),
  history_retention_days: z.number().int().describe("How many days back the back office's lists and reports go, 30–400; older days are in GET /v1/exports, and leave the live records once archived"),
  sms_per_hour: z.number().int(),
  sms_signin_per_hour: z.number().int(),
  refund_when_points_spent: z.enum(["reduce", "refuse"]),
  allowed_origins: z.array(z.string()),
}).meta({ id: "Settings" });

export const Terminal = z.strictObject({
  tenant: Tenant.extend({ minor_digits: z.number().int(), point_value: z.number().int() }),
  store: z.strictObject({ id, name: z.string(), livemode }),
  register: z.strictObject({ id, name: z.string(), livemode }),
});

export const SmsMessage = z.strictObject({ to: z.string(), body: z.string(), created_at: time });

// ---- the answers made of them ---------------------------------------------------------------------------------

export const ApprovalAsked = z.strictObject({ request: ApprovalRequest, delivered: z.boolean().describe("Whether an open page of the member got it") });
export const CodeSent = z.strictObject({ sent_to: z.string().describe("The member's phone, masked"), expires_at: time });
export const Me = z.strictObject({
  member: MemberSummary,
  balances: Balances,
  cards: z.array(Card),
  members_on_this_phone: z.array(z.strictObject({ id, name: z.string(), livemode })),
});
export const Switched = z.strictObject({ member: MemberSummary });
export const RegisterMade = z.strictObject({ register: Register, terminal_key: z.string().describe("Shown once"), key: Key });
export const SecretKeyMade = z.strictObject({ key: Key, secret_key: z.string().describe("Shown once") });
export const TerminalKeyMade = z.strictObject({ key: Key, terminal_key: z.string().describe("Shown once") });
export const TenantMade = z.strictObject({ tenant: Tenant, secret_key: z.string().describe("Shown once") });
export const SignedIn = z.strictObject({ staff: Staff, tenant: Tenant });
export const StaffOnly = z.strictObject({ staff: Staff });
export const StaffInvited = z.strictObject({ staff: Staff, invite_url: z.string(), expires_at: time });
export const StaffRemoved = Staff.extend({ deleted: z.literal(true) });
export const SmsOutbox = z.strictObject({ data: z.array(SmsMessage) });
export const PortalLink = z.union([
  z.strictObject({ url: z.string().describe("Single use"), expires_at: time }),
  z.strictObject({ sent_to: z.string().describe("The member's phone, masked: a staff member's link went there by SMS (202)") }),
]).meta({ id: "PortalLink" });
export const SessionsRevoked = z.strictObject({ revoked: z.number().int() });
export const ChainVerified = z.strictObject({ entries: z.number().int(), valid: z.boolean(), first_broken: id.optional() });
export const LoginCodeSent = z.strictObject({ sent: z.boolean() });

// ---- limits, alerts, webhooks, events, the audit log and the day's report -------------------------------------

export const Limit = z.strictObject({
  id,
  scope: z.enum(["card", "register", "store"]),
  scope_id: z.string().nullable().describe("null: every card, register or store"),
  per: z.enum(["register", "store"]).nullable(),
  metric: z.string(),
  method: method.nullable(),
  period: z.string(),
  hard: z.number().int().nullable(),
  soft: z.strictObject({ lower: z.number().int(), upper: z.number().int() }).nullable(),
  created_at: time,
  livemode,
}).meta({ id: "Limit", examples: [EX.limit] });
export const LimitRemoved = Limit.extend({ deleted: z.literal(true) });
export const Counter = z.strictObject({
  subject: z.string().describe("The card, register or store counted"),
  window_start: time.nullable(),
  window_end: time.nullable(),
  value: z.number().int(),
  pending: z.number().int().describe("The part of value still held by pending operations"),
  bound: z.number().int(),
  alert_above: z.number().int().nullable(),
}).meta({ id: "Counter" });

const raisedAlertFields = {
  id,
  type: z.enum(["limit.soft_crossed", "limit.blocked", "sms.budget_exhausted", "audit.chain_broken"]),
  limit_id: id.min(1).nullable().describe("null: an alert of no limit (the SMS budget)"),
  scope: z.string(),
  scope_id: z.string(),
  metric: z.string(),
  period: z.string(),
  bound: z.number().int(),
  value: z.number().int(),
  operation_id: id.min(1).nullable(),
  created_at: time,
  livemode,
};
/** An alert as it was raised (in `alert.raised` and on the console's live page). */
export const RaisedAlert = z.strictObject(raisedAlertFields).meta({ id: "RaisedAlert" });
export const Alert = z.strictObject({
  ...raisedAlertFields,
  status: z.enum(["open", "acknowledged", "resolved"]),
  acknowledged_at: time.nullable(),
  acknowledged_by: id.nullable(),
  resolved_at: time.nullable(),
  resolved_by: id.nullable(),
  note: z.string().nullable(),
}).meta({ id: "Alert", examples: [EX.alert] });

const endpointFields = { id, url: z.string(), events: z.array(z.string()), created_at: time, livemode };
export const WebhookEndpoint = z.strictObject(endpointFields).meta({ id: "WebhookEndpoint", examples: [EX.webhookEndpoint] });
export const WebhookEndpointMade = z.strictObject({ ...endpointFields, secret: z.string().describe("whsec_…, shown once") });
export const WebhookEndpointStopped = z.strictObject({ ...endpointFields, deleted: z.literal(true) });
export const SecretRotated = z.strictObject({ ...endpointFields, secret: z.string().describe("whsec_…, shown once"), previous_secret_valid_until: time });
export const DeliveryAttempt = z.strictObject({
  event_id: id,
  attempt: z.number().int(),
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  at: time,
  next_attempt_at: time.nullable(),
}).meta({ id: "DeliveryAttempt" });
export const Redelivery = z.strictObject({ event_id: id, endpoint_id: id, queued: z.literal(true) });
/** An event: what a webhook endpoint receives, as GET /v1/events lists it; `data` holds the object it is about. */
const eventOf = <T extends string, D extends z.ZodRawShape>(type: T, description: string, data: D) =>
  z
    .strictObject({ id: id.describe("evt_…: the same id when the event is sent again"), type: z.literal(type), created_at: time, livemode, data: z.strictObject(data) })
    .meta({ id: `Event_${type.replace(".", "_")}`, description, ...(type in EX.events ? { examples: [EX.events[type as keyof typeof EX.events]] } : {}) });
/** Every type of event, each with the schema of what is sent. */
export const EVENTS = {
  "operation.created": eventOf("operation.created", "An operation was held", { operation: Operation }),
  "operation.confirmed": eventOf("operation.confirmed", "An operation was confirmed: its balances moved", { operation: Operation }),
  "operation.cancelled": eventOf("operation.cancelled", "A held operation was cancelled: nothing moved", { operation: Operation }),
  "operation.expired": eventOf("operation.expired", "A held operation reached its expiry unconfirmed: nothing moved", { operation: Operation }),
  "approval_request.answered": eventOf("approval_request.answered", "The member approved or rejected a request", { approval_request: ApprovalRequest }),
  "card.blocked": eventOf("card.blocked", "A card was blocked (lost, stolen, or by the security service)", { card: Card }),
  "alert.raised": eventOf("alert.raised", "A limit alerted the security service or blocked an operation", { alert: RaisedAlert }),
};
export const EVENT_TYPES = Object.keys(EVENTS) as [keyof typeof EVENTS, ...(keyof typeof EVENTS)[]];
export const Event = z.discriminatedUnion("type", [
  EVENTS["operation.created"],
  EVENTS["operation.confirmed"],
  EVENTS["operation.cancelled"],
  EVENTS["operation.expired"],
  EVENTS["approval_request.answered"],
  EVENTS["card.blocked"],
  EVENTS["alert.raised"],
]);

export const AuditEntry = z.strictObject({
  id,
  actor: z.string().describe("The staff member, key or member who acted"),
  actor_type: z.enum(["staff", "secret_key", "terminal_key", "member", "platform"]),
  action: z.string(),
  subject_id: z.string(),
  before: z.record(z.string(), z.unknown()).nullable().describe("The record before the change (null when it was made)"),
  after: z.record(z.string(), z.unknown()).nullable().describe("The record after the change (null when it was removed)"),
  created_at: time,
  seq: z.number().int().nullable(),
  hash: z.string().nullable(),
  prev_hash: z.string().nullable(),
  livemode,
}).meta({ id: "AuditEntry" });

const figures = z.strictObject({
  deducted: z.number().int(),
  accrued: z.number().int(),
  refunded: z.number().int(),
  accrual_reversed: z.number().int(),
  topped_up: z.number().int(),
  manual_accrued: z.number().int(),
  manual_deducted: z.number().int(),
});
export const DailyReport = z.strictObject({
  date: z.string(),
  time_zone: z.string(),
  currency: z.string(),
  window_start: time,
  window_end: time,
  complete: z.boolean().describe("False while the day is not over, or its history has not all reached the records"),
  incomplete_reason: z.string().nullable(),
  stores: z.array(
    z.strictObject({
      store_id: id,
      store_name: z.string(),
      counts: z.strictObject({ purchases: z.number().int(), refunds: z.number().int(), top_ups: z.number().int(), manual: z.number().int() }),
      methods: z.array(z.strictObject({ method, operations: figures, journal: figures, balanced: z.boolean() })),
      balanced: z.boolean(),
    }),
  ),
  balanced: z.boolean(),
}).meta({ id: "DailyReport" });

export const MemberSignedIn = z.strictObject({ member: MemberSummary, tenant: Tenant });
export const SignUpLink = z.strictObject({ url: z.string(), expires_at: time });

export const DemoSeeded = z.strictObject({
  tenant_id: id,
  secret_key: z.string(),
  terminal_key: z.string(),
  member_id: id,
  card: z.string(),
  register_url: z.string(),
  member_url: z.string(),
  member_url_expires_at: time,
  console_url: z.string(),
  owner_email: z.string(),
  owner_password: z.string(),
});

// ---- the live pages' messages (WebSockets) ---------------------------------------------------------------------

/** What the member's open page receives on /v1/me/events. */
export const MemberMessage = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("approval_request"), request: ApprovalRequest }).describe("A request to approve, shown at once"),
    z.strictObject({ type: z.literal("approval_request_closed"), request: ApprovalRequest }).describe("A request answered, resent, cancelled or expired"),
    z.strictObject({ type: z.literal("balance"), balances: Balances }).describe("The balances now (also the answer to the text `balances`)"),
    z.strictObject({ type: z.literal("history"), entries: z.array(HistoryEntry) }).describe("New history entries, newest first"),
  ])
  .meta({ examples: [EX.memberMessages.approval_request, EX.memberMessages.balance] });

/** What an open console page receives on /v1/alerts/live. */
export const ConsoleMessage = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("alerts"), alerts: z.array(RaisedAlert.extend({ status: z.literal("open") })) }).describe("New alerts"),
    z.strictObject({ type: z.literal("alert_changed"), alert: Alert }).describe("An alert acknowledged or resolved"),
  ])
  .meta({ examples: [EX.consoleMessages.alerts] });
