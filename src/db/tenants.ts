/** Tenant records and settings, cached briefly per isolate (a settings change here drops the cache at once). */
import { eq } from "drizzle-orm";
import type { Method } from "../accounts/operation";
import { newId } from "../lib/ids";
import { ShortCache } from "../lib/short-cache";
import type { AuditWrite } from "./audit";
import { database, type BatchWrite } from "./client";
import type { NewKey } from "./keys";
import { apiKeys, staff, tenantOrigins, tenants } from "./schema";
import type { NewStaff } from "./staff";

export type TenantRow = typeof tenants.$inferSelect;

export interface Settings {
  approval_required_for: Method[];
  points_per_currency_unit: number;
  point_value: number;
  hold_ttl_seconds: number;
  /** Days the back office's history stays in D1 (30–400); older days are in GET /v1/exports. */
  history_retention_days: number;
  /** The till's and back office's SMS in one hour (every SMS but sign-in codes). */
  sms_per_hour: number;
  /** Sign-in codes in one hour, a budget of their own. */
  sms_signin_per_hour: number;
  /** A refund whose purchase's points are spent gives back that much less money (`reduce`) or is refused. */
  refund_when_points_spent: "reduce" | "refuse";
  /** Web origins whose pages may call the terminal routes (CORS). */
  allowed_origins: string[];
}

const cache = new ShortCache<TenantRow>(5_000);

export async function loadTenant(d1: D1Database, tenantId: string): Promise<TenantRow> {
  return cache.through(tenantId, async () => {
    const tenant = await database(d1).select().from(tenants).where(eq(tenants.id, tenantId)).get();
    // A credential exists only for an existing tenant, so a missing row is a broken database, not bad input.
    if (!tenant) throw new Error(`tenant ${tenantId} of a valid credential is missing`);
    return tenant;
  });
}

/** A tenant named by a URL (not by a credential): null when there is none. */
export async function loadTenantIfAny(d1: D1Database, tenantId: string): Promise<TenantRow | null> {
  if (!/^ten_[0-9a-z]{16}$/.test(tenantId)) return null;
  return (await database(d1).select().from(tenants).where(eq(tenants.id, tenantId)).get()) ?? null;
}

/** A new tenant's record, with the default settings of API.md. */
export function newTenant(fields: { name: string; currency: string; timezone: string; livemode?: boolean; placement: string }, now = Date.now()): TenantRow {
  return {
    id: newId("ten"),
    name: fields.name,
    currency: fields.currency,
    timezone: fields.timezone,
    createdAt: new Date(now).toISOString(),
    approvalRequiredFor: "[]",
    pointsPerCurrencyUnit: 1,
    pointValue: 1,
    holdTtlSeconds: 900,
    historyRetentionDays: 90,
    smsPerHour: 500,
    smsSigninPerHour: 200,
    refundWhenPointsSpent: "reduce",
    allowedOrigins: "[]",
    livemode: fields.livemode ?? true,
    placement: fields.placement,
  };
}

export function forgetTenant(tenantId: string): void {
  cache.delete(tenantId);
  // Its allowed origins may have changed: which origins some tenant allows is read again.
  allowedSomewhere.clear();
}

export function presentTenant(tenant: TenantRow) {
  return { id: tenant.id, name: tenant.name, currency: tenant.currency, timezone: tenant.timezone, livemode: tenant.livemode, created_at: tenant.createdAt };
}

export function settingsOf(tenant: TenantRow): Settings {
  return {
    approval_required_for: JSON.parse(tenant.approvalRequiredFor) as Method[],
    points_per_currency_unit: tenant.pointsPerCurrencyUnit,
    point_value: tenant.pointValue,
    hold_ttl_seconds: tenant.holdTtlSeconds,
    history_retention_days: tenant.historyRetentionDays,
    sms_per_hour: tenant.smsPerHour,
    sms_signin_per_hour: tenant.smsSigninPerHour,
    refund_when_points_spent: tenant.refundWhenPointsSpent,
    allowed_origins: JSON.parse(tenant.allowedOrigins) as string[],
  };
}

/** Whether some tenant allows an origin, remembered a few seconds (a browser asks again at most every 10 minutes). */
const allowedSomewhere = new ShortCache<boolean>(5_000);

/** Whether any tenant lets pages of this origin call the terminal routes (what a preflight can know). */
export async function someTenantAllows(d1: D1Database, origin: string): Promise<boolean> {
  return allowedSomewhere.through(origin, async () => (await d1.prepare("SELECT 1 FROM tenant_origins WHERE origin = ? LIMIT 1").bind(origin).first()) !== null);
}

/** The writes that make `tenant_origins` say what the tenant's `allowed_origins` now says (for its batch). */
export function allowedOriginsRows(d1: D1Database, tenantId: string, origins: string[]) {
  const db = database(d1);
  const cleared = db.delete(tenantOrigins).where(eq(tenantOrigins.tenantId, tenantId));
  return origins.length === 0 ? [cleared] : [cleared, db.insert(tenantOrigins).values(origins.map((origin) => ({ origin, tenantId }))).onConflictDoNothing()];
}

/** The tenant's settings changed (and its allowed origins, when given), with the audit entry of the change. */
export async function saveSettings(d1: D1Database, tenantId: string, changes: Partial<TenantRow>, origins: string[] | undefined, audit: AuditWrite): Promise<void> {
  const db = database(d1);
  await db.batch([db.update(tenants).set(changes).where(eq(tenants.id, tenantId)), ...(origins !== undefined ? allowedOriginsRows(d1, tenantId, origins) : []), audit]);
  forgetTenant(tenantId);
}

/** A tenant made by the platform, with its first secret key. */
export async function addTenant(d1: D1Database, tenant: TenantRow, key: NewKey, answer: BatchWrite[] = []): Promise<void> {
  const db = database(d1);
  await db.batch([db.insert(tenants).values(tenant), db.insert(apiKeys).values(key), ...answer]);
}

/** A business signed up with its owner's login, and the audit entry of its making. */
export async function signUpTenant(d1: D1Database, tenant: TenantRow, owner: NewStaff, audit: AuditWrite): Promise<void> {
  const db = database(d1);
  await db.batch([db.insert(tenants).values(tenant), db.insert(staff).values(owner), audit]);
}
