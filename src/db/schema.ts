/** Drizzle schema of the D1 database; the SQL lives in migrations/ (see docs/storage.md). */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  currency: text("currency").notNull(),
  timezone: text("timezone").notNull(),
  approvalRequiredFor: text("approval_required_for").notNull().default("[]"),
  pointsPerCurrencyUnit: integer("points_per_currency_unit").notNull().default(1),
  pointValue: integer("point_value").notNull().default(1),
  holdTtlSeconds: integer("hold_ttl_seconds").notNull().default(900),
  /** Days the back office's history stays in D1 (migration 0023). */
  historyRetentionDays: integer("history_retention_days").notNull().default(90),
  smsPerHour: integer("sms_per_hour").notNull().default(500),
  /** Sign-in codes' own hourly budget: asking for them never uses up the till's `sms_per_hour`. */
  smsSigninPerHour: integer("sms_signin_per_hour").notNull().default(200),
  /** A refund whose purchase's points are spent: give back that much less money, or refuse it. */
  refundWhenPointsSpent: text("refund_when_points_spent", { enum: ["reduce", "refuse"] }).notNull().default("reduce"),
  createdAt: text("created_at").notNull(),
  /** JSON array of web origins whose pages may call the terminal routes. */
  allowedOrigins: text("allowed_origins").notNull().default("[]"),
  /** False for a test tenant (no real SMS; the test phones answer by themselves). */
  livemode: integer("livemode", { mode: "boolean" }).notNull().default(true),
  /** Where its rows live: its placement epochs as JSON (src/shards/placement.ts); `[]` before the shards. */
  placement: text("placement").notNull().default("[]"),
});

/** Shards closed to new tenants (an open shard has no row). */
export const closedShards = sqliteTable("closed_shards", { id: text("id").primaryKey(), closedAt: text("closed_at").notNull(), reason: text("reason").notNull() });

/** Alerts for whoever runs the platform. */
export const platformAlerts = sqliteTable("platform_alerts", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  subjectId: text("subject_id").notNull(),
  createdAt: text("created_at").notNull(),
  details: text("details").notNull(),
});

/** The tenants' allowed origins by origin (for preflights, which name no tenant). */
export const tenantOrigins = sqliteTable("tenant_origins", { origin: text("origin").notNull(), tenantId: text("tenant_id").notNull() }, (t) => [
  primaryKey({ columns: [t.origin, t.tenantId] }),
]);

export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  kind: text("kind", { enum: ["secret", "terminal"] }).notNull(),
  secretHash: text("secret_hash").notNull(),
  storeId: text("store_id"),
  registerId: text("register_id"),
  createdAt: text("created_at").notNull(),
  revokedAt: text("revoked_at"),
  lastUsedAt: text("last_used_at"),
});

export const stores = sqliteTable("stores", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  name: text("name").notNull(),
  smsConfirmPointsDeduction: integer("sms_confirm_points_deduction", { mode: "boolean" }).notNull().default(false),
  createdAt: text("created_at").notNull(),
});

export const registers = sqliteTable("registers", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  storeId: text("store_id").notNull(),
  name: text("name").notNull(),
  createdAt: text("created_at").notNull(),
});

export const members = sqliteTable("members", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  name: text("name").notNull(),
  phone: text("phone").notNull(),
  externalRef: text("external_ref"),
  createdAt: text("created_at").notNull(),
});

export const cards = sqliteTable(
  "cards",
  {
    tenantId: text("tenant_id").notNull(),
    number: text("number").notNull(),
    memberId: text("member_id").notNull(),
    status: text("status", { enum: ["active", "blocked", "replaced"] }).notNull().default("active"),
    blockReason: text("block_reason"),
    replacedBy: text("replaced_by"),
    createdAt: text("created_at").notNull(),
    version: integer("version").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.number] })],
);

export const idempotencyRecords = sqliteTable(
  "idempotency_records",
  {
    tenantId: text("tenant_id").notNull(),
    credentialId: text("credential_id").notNull(),
    key: text("key").notNull(),
    fingerprint: text("fingerprint").notNull(),
    state: text("state", { enum: ["running", "done"] }).notNull(),
    status: integer("status"),
    response: text("response"),
    createdAt: text("created_at").notNull(),
    /** While running: until when the request holding the key owns it; a retry may take it over after. */
    leaseUntil: text("lease_until"),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.credentialId, t.key] })],
);

export const portalLinks = sqliteTable("portal_links", {
  tokenHash: text("token_hash").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  memberId: text("member_id").notNull(),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  usedAt: text("used_at"),
});

export const memberSessions = sqliteTable("member_sessions", {
  tokenHash: text("token_hash").primaryKey(),
  id: text("id").notNull(),
  tenantId: text("tenant_id").notNull(),
  memberId: text("member_id").notNull(),
  createdAt: text("created_at").notNull(),
  lastSeenAt: text("last_seen_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  revokedAt: text("revoked_at"),
  /** How it was opened: the member signing in, or a link the back office asked for. */
  via: text("via", { enum: ["member", "link"] }).notNull().default("member"),
});

export const devSms = sqliteTable("dev_sms", {
  seq: integer("seq").primaryKey(),
  id: text("id").notNull(),
  tenantId: text("tenant_id").notNull(),
  to: text("to").notNull(),
  body: text("body").notNull(),
  createdAt: text("created_at").notNull(),
});

export const limits = sqliteTable("limits", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  scope: text("scope", { enum: ["card", "register", "store"] }).notNull(),
  scopeId: text("scope_id"),
  per: text("per", { enum: ["register", "store"] }),
  metric: text("metric").notNull(),
  method: text("method"),
  period: text("period", { enum: ["operation", "day", "week", "month", "lifetime"] }).notNull(),
  hard: integer("hard"),
  softLower: integer("soft_lower"),
  softUpper: integer("soft_upper"),
  createdAt: text("created_at").notNull(),
  deletedAt: text("deleted_at"),
});

export const alerts = sqliteTable("alerts", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  type: text("type").notNull(),
  limitId: text("limit_id").notNull(),
  scope: text("scope").notNull(),
  scopeId: text("scope_id").notNull(),
  metric: text("metric").notNull(),
  period: text("period").notNull(),
  bound: integer("bound").notNull(),
  value: integer("value").notNull(),
  operationId: text("operation_id").notNull(),
  createdAt: text("created_at").notNull(),
  status: text("status", { enum: ["open", "acknowledged", "resolved"] }).notNull().default("open"),
  acknowledgedAt: text("acknowledged_at"),
  acknowledgedBy: text("acknowledged_by"),
  resolvedAt: text("resolved_at"),
  resolvedBy: text("resolved_by"),
  note: text("note"),
});

export const webhookEndpoints = sqliteTable("webhook_endpoints", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  url: text("url").notNull(),
  events: text("events").notNull(),
  sealedSecret: text("sealed_secret").notNull(),
  createdAt: text("created_at").notNull(),
  deletedAt: text("deleted_at"),
  /** After a rotation: the secret before, still signing until `previousValidUntil` (ms). */
  previousSealedSecret: text("previous_sealed_secret"),
  previousValidUntil: integer("previous_valid_until"),
});

export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    eventId: text("event_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    tenantId: text("tenant_id").notNull(),
    type: text("type").notNull(),
    payload: text("payload").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    lastStatus: integer("last_status"),
    deliveredAt: text("delivered_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.endpointId] })],
);

export const auditLog = sqliteTable("audit_log", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  actor: text("actor").notNull(),
  action: text("action").notNull(),
  subjectId: text("subject_id").notNull(),
  before: text("before"),
  after: text("after"),
  createdAt: text("created_at").notNull(),
  actorType: text("actor_type", { enum: ["staff", "secret_key", "terminal_key", "member", "platform"] }).notNull().default("secret_key"),
  /** The entry's place in its tenant's chain, and the hashes: null until the tenant's sealer chained it. */
  seq: integer("seq"),
  prevHash: text("prev_hash"),
  hash: text("hash"),
});

export const staff = sqliteTable("staff", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  email: text("email").notNull(),
  role: text("role", { enum: ["owner", "manager", "security"] }).notNull(),
  passwordHash: text("password_hash"),
  createdAt: text("created_at").notNull(),
});

export const staffSessions = sqliteTable("staff_sessions", {
  tokenHash: text("token_hash").primaryKey(),
  id: text("id").notNull(),
  staffId: text("staff_id").notNull(),
  tenantId: text("tenant_id").notNull(),
  createdAt: text("created_at").notNull(),
  lastSeenAt: text("last_seen_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  revokedAt: text("revoked_at"),
});

export const staffInvites = sqliteTable("staff_invites", {
  tokenHash: text("token_hash").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  staffId: text("staff_id").notNull(),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  usedAt: text("used_at"),
});

export const tenantInvites = sqliteTable("tenant_invites", {
  tokenHash: text("token_hash").primaryKey(),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  usedAt: text("used_at"),
});

export const signInFailures = sqliteTable("sign_in_failures", {
  emailHash: text("email_hash").notNull(),
  at: integer("at").notNull(),
});
