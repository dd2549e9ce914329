/** Tenant records and settings, cached briefly per isolate (a settings change here drops the cache at once). */
import { eq } from "drizzle-orm";
import type { Method } from "../accounts/operation";
import { newId } from "../lib/ids";
import { database } from "./client";
import { tenants } from "./schema";

export type TenantRow = typeof tenants.$inferSelect;

export interface Settings {
  approval_required_for: Method[];
  points_per_currency_unit: number;
  point_value: number;
  hold_ttl_seconds: number;
  /** Every SMS of the tenant in one hour, of any kind. */
  sms_per_hour: number;
}

const CACHE_TTL_MS = 5_000;
const cache = new Map<string, { tenant: TenantRow; until: number }>();

export async function loadTenant(d1: D1Database, tenantId: string): Promise<TenantRow> {
  const hit = cache.get(tenantId);
  if (hit && hit.until > Date.now()) return hit.tenant;
  const tenant = await database(d1).select().from(tenants).where(eq(tenants.id, tenantId)).get();
  // A credential exists only for an existing tenant, so a missing row is a broken database, not bad input.
  if (!tenant) throw new Error(`tenant ${tenantId} of a valid credential is missing`);
  cache.set(tenantId, { tenant, until: Date.now() + CACHE_TTL_MS });
  return tenant;
}

/** A tenant named by a URL (not by a credential): null when there is none. */
export async function loadTenantIfAny(d1: D1Database, tenantId: string): Promise<TenantRow | null> {
  if (!/^ten_[0-9a-z]{16}$/.test(tenantId)) return null;
  return (await database(d1).select().from(tenants).where(eq(tenants.id, tenantId)).get()) ?? null;
}

/** A new tenant's record, with the default settings of API.md. */
export function newTenant(fields: { name: string; currency: string; timezone: string }, now = Date.now()): TenantRow {
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
    smsPerHour: 500,
  };
}

export function forgetTenant(tenantId: string): void {
  cache.delete(tenantId);
}

export function presentTenant(tenant: TenantRow) {
  return { id: tenant.id, name: tenant.name, currency: tenant.currency, timezone: tenant.timezone, created_at: tenant.createdAt };
}

export function settingsOf(tenant: TenantRow): Settings {
  return {
    approval_required_for: JSON.parse(tenant.approvalRequiredFor) as Method[],
    points_per_currency_unit: tenant.pointsPerCurrencyUnit,
    point_value: tenant.pointValue,
    hold_ttl_seconds: tenant.holdTtlSeconds,
    sms_per_hour: tenant.smsPerHour,
  };
}
