/** Merchant staff in D1: who they are, their role, their password hash, and failed sign-ins for the lockout. */
import { and, asc, eq } from "drizzle-orm";
import type { StaffRole } from "../auth/principal";
import { database } from "./client";
import { staff } from "./schema";

export type StaffRow = typeof staff.$inferSelect;

export const presentStaff = (row: StaffRow) => ({ id: row.id, email: row.email, role: row.role, created_at: row.createdAt });

export async function staffByEmail(d1: D1Database, email: string): Promise<StaffRow | null> {
  return (await database(d1).select().from(staff).where(eq(staff.email, email)).get()) ?? null;
}

export async function findStaff(d1: D1Database, tenantId: string, staffId: string): Promise<StaffRow | null> {
  return (await database(d1).select().from(staff).where(and(eq(staff.tenantId, tenantId), eq(staff.id, staffId))).get()) ?? null;
}

export async function staffOfTenant(d1: D1Database, tenantId: string): Promise<StaffRow[]> {
  return database(d1).select().from(staff).where(eq(staff.tenantId, tenantId)).orderBy(asc(staff.createdAt), asc(staff.id));
}

/**
 * Changes a role, or removes a member of staff (`role` null), unless that would leave the tenant without an owner.
 * One statement, so two owners demoting each other at once cannot both succeed. False: nothing changed.
 */
export async function changeStaffUnlessLastOwner(d1: D1Database, tenantId: string, staffId: string, role: StaffRole | null): Promise<boolean> {
  const keepsAnOwner = `(role != 'owner' OR ?3 = 'owner' OR (SELECT COUNT(*) FROM staff WHERE tenant_id = ?1 AND role = 'owner') > 1)`;
  const statement =
    role === null
      ? d1.prepare(`DELETE FROM staff WHERE tenant_id = ?1 AND id = ?2 AND ${keepsAnOwner}`).bind(tenantId, staffId, "")
      : d1.prepare(`UPDATE staff SET role = ?3 WHERE tenant_id = ?1 AND id = ?2 AND ${keepsAnOwner}`).bind(tenantId, staffId, role);
  return ((await statement.run()).meta.changes ?? 0) === 1;
}

export async function setPassword(d1: D1Database, staffId: string, passwordHash: string): Promise<void> {
  await database(d1).update(staff).set({ passwordHash }).where(eq(staff.id, staffId));
}

/** Failed sign-ins of an email since `since`, and the first of them (for Retry-After). */
export async function recentFailures(d1: D1Database, emailHash: string, since: number): Promise<{ n: number; first: number | null }> {
  const row = await d1
    .prepare("SELECT COUNT(*) AS n, MIN(at) AS first FROM sign_in_failures WHERE email_hash = ? AND at > ?")
    .bind(emailHash, since)
    .first<{ n: number; first: number | null }>();
  return { n: row?.n ?? 0, first: row?.first ?? null };
}

export async function recordFailure(d1: D1Database, emailHash: string, at: number, forgetBefore: number): Promise<void> {
  await d1.batch([
    d1.prepare("INSERT INTO sign_in_failures (email_hash, at) VALUES (?, ?)").bind(emailHash, at),
    d1.prepare("DELETE FROM sign_in_failures WHERE at < ?").bind(forgetBefore),
  ]);
}

export async function forgetFailures(d1: D1Database, emailHash: string): Promise<void> {
  await d1.prepare("DELETE FROM sign_in_failures WHERE email_hash = ?").bind(emailHash).run();
}
