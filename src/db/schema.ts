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
  createdAt: text("created_at").notNull(),
});

export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  kind: text("kind", { enum: ["secret", "terminal"] }).notNull(),
  secretHash: text("secret_hash").notNull(),
  storeId: text("store_id"),
  registerId: text("register_id"),
  createdAt: text("created_at").notNull(),
  revokedAt: text("revoked_at"),
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

export const historyEntries = sqliteTable("history_entries", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  memberId: text("member_id").notNull(),
  seq: integer("seq").notNull(),
  operationId: text("operation_id").notNull(),
  kind: text("kind").notNull(),
  method: text("method").notNull(),
  amount: integer("amount").notNull(),
  balanceAfter: integer("balance_after").notNull(),
  storeId: text("store_id"),
  registerId: text("register_id"),
  createdAt: text("created_at").notNull(),
});

export const operations = sqliteTable("operations", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  memberId: text("member_id").notNull(),
  storeId: text("store_id"),
  registerId: text("register_id"),
  type: text("type").notNull(),
  status: text("status").notNull(),
  version: integer("version").notNull(),
  body: text("body").notNull(),
  createdAt: text("created_at").notNull(),
});

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
});

export const devSms = sqliteTable("dev_sms", {
  seq: integer("seq").primaryKey(),
  id: text("id").notNull(),
  tenantId: text("tenant_id").notNull(),
  to: text("to").notNull(),
  body: text("body").notNull(),
  createdAt: text("created_at").notNull(),
});
