/** Merchant staff in D1: who they are, their role, their password hash, and failed sign-ins for the lockout. */
import { and, asc, eq, isNull, ne } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { StaffRole } from "../auth/principal";
import type { AuditWrite } from "./audit";
import { database, type BatchWrite } from "./client";
import { staff, staffInvites, staffSessions } from "./schema";

export type StaffRow = typeof staff.$inferSelect;
export type NewStaff = typeof staff.$inferInsert;

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
 * Changes a role, or removes a member of staff (`role` null) and ends their sessions, unless that would leave the
 * tenant without an owner; with its audit entry (`auditIfChanged`), in one D1 batch, so two owners demoting each
 * other at once cannot both succeed and no change goes unrecorded. False: nothing changed.
 */
export async function changeStaffUnlessLastOwner(d1: D1Database, tenantId: string, staffId: string, role: StaffRole | null, audit: D1PreparedStatement): Promise<boolean> {
  // Another owner who can sign in (an owner still invited, with no password yet, does not count).
  const keepsAnOwner = `(role != 'owner' OR ?3 = 'owner' OR (SELECT COUNT(*) FROM staff WHERE tenant_id = ?1 AND role = 'owner' AND password_hash IS NOT NULL AND id != ?2) > 0)`;
  if (role !== null) {
    const [changed] = await d1.batch([d1.prepare(`UPDATE staff SET role = ?3 WHERE tenant_id = ?1 AND id = ?2 AND ${keepsAnOwner}`).bind(tenantId, staffId, role), audit]);
    return (changed.meta.changes ?? 0) === 1;
  }
  const [removed] = await d1.batch([
    d1.prepare(`DELETE FROM staff WHERE tenant_id = ?1 AND id = ?2 AND ${keepsAnOwner}`).bind(tenantId, staffId, ""),
    audit,
    d1.prepare("UPDATE staff_sessions SET revoked_at = ?2 WHERE staff_id = ?1 AND revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM staff WHERE id = ?1)").bind(staffId, new Date().toISOString()),
  ]);
  return (removed.meta.changes ?? 0) === 1;
}

/** A new password, the member's other sessions ended and the audit entry, in one D1 batch. */
export async function changePassword(d1: D1Database, staffId: string, passwordHash: string, keepSessionId: string, audit: BatchItem<"sqlite">): Promise<void> {
  const db = database(d1);
  await db.batch([
    db.update(staff).set({ passwordHash }).where(eq(staff.id, staffId)),
    db
      .update(staffSessions)
      .set({ revokedAt: new Date().toISOString() })
      .where(and(eq(staffSessions.staffId, staffId), isNull(staffSessions.revokedAt), ne(staffSessions.id, keepSessionId))),
    audit,
  ]);
}

/**
 * Notes a sign-in attempt for an email before its password is checked, and answers how many attempts the window
 * holds with it and the first one's time: of a burst sent at once, at most the allowed number reach the check.
 */
export async function noteAttempt(d1: D1Database, emailHash: string, at: number, since: number): Promise<{ n: number; first: number; row: number }> {
  const [, inserted, counted] = await d1.batch([
    d1.prepare("DELETE FROM sign_in_failures WHERE at <= ?").bind(since),
    d1.prepare("INSERT INTO sign_in_failures (email_hash, at) VALUES (?, ?) RETURNING rowid AS row").bind(emailHash, at),
    d1.prepare("SELECT COUNT(*) AS n, MIN(at) AS first FROM sign_in_failures WHERE email_hash = ? AND at > ?").bind(emailHash, since),
  ]);
  const count = counted.results[0] as { n: number; first: number };
  return { n: count.n, first: count.first, row: (inserted.results[0] as { row: number }).row };
}

/** Takes back one noted attempt (a refused one, which is not a failure of its own). */
export async function dropAttempt(d1: D1Database, row: number): Promise<void> {
  await d1.prepare("DELETE FROM sign_in_failures WHERE rowid = ?").bind(row).run();
}

/** A right password clears the email's attempts. */
export async function forgetFailures(d1: D1Database, emailHash: string): Promise<void> {
  await d1.prepare("DELETE FROM sign_in_failures WHERE email_hash = ?").bind(emailHash).run();
}

/** A member of staff invited: their login without a password, the invite, and the audit entry of the invite. */
export async function addInvitedStaff(d1: D1Database, row: NewStaff, invite: typeof staffInvites.$inferInsert, audit: AuditWrite, answer: BatchWrite[] = []): Promise<void> {
  const db = database(d1);
  await db.batch([db.insert(staff).values(row), db.insert(staffInvites).values(invite), audit, ...answer]);
}

/** Who a live invite link is for (by the hash of its token). */
export async function inviteByToken(d1: D1Database, tokenHash: string): Promise<{ staffId: string; tenantId: string } | null> {
  return (await database(d1).select({ staffId: staffInvites.staffId, tenantId: staffInvites.tenantId }).from(staffInvites).where(eq(staffInvites.tokenHash, tokenHash)).get()) ?? null;
}
