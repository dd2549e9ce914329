/**
 * Console sessions of merchant staff: 256-bit tokens in the `tillsafe_staff` cookie, D1 keeping only their SHA-256,
 * ending after 12 hours idle or 7 days; the role is read with the session, so a role change applies at once.
 * Also the two single-use links of the console: a staff invite and the platform's tenant invite (7 days each).
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import { serialize } from "hono/utils/cookie";
import { database } from "../db/client";
import { staff, staffSessions, tenantInvites } from "../db/schema";
import { constantTimeEqual, randomSecret, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import type { StaffRole } from "./principal";

export const STAFF_COOKIE = "tillsafe_staff";
export const STAFF_IDLE_MS = 12 * 3600 * 1000;
export const STAFF_ABSOLUTE_MS = 7 * 24 * 3600 * 1000;
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;

export interface StaffSession {
  sessionId: string;
  staffId: string;
  tenantId: string;
  role: StaffRole;
}

export async function createStaffSession(d1: D1Database, staffId: string, tenantId: string, now = Date.now()) {
  const token = `ss_${randomSecret(32)}`;
  const nowIso = new Date(now).toISOString();
  await database(d1)
    .insert(staffSessions)
    .values({
      tokenHash: await sha256Hex(token),
      id: newId("ses"),
      staffId,
      tenantId,
      createdAt: nowIso,
      lastSeenAt: nowIso,
      expiresAt: new Date(now + STAFF_ABSOLUTE_MS).toISOString(),
    });
  return { token, maxAgeSeconds: Math.floor(STAFF_ABSOLUTE_MS / 1000) };
}

export async function verifyStaffSession(d1: D1Database, token: string, now = Date.now()): Promise<StaffSession | null> {
  if (!/^ss_[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const hash = await sha256Hex(token);
  const db = database(d1);
  const row = await db
    .select({ session: staffSessions, role: staff.role })
    .from(staffSessions)
    .innerJoin(staff, eq(staff.id, staffSessions.staffId))
    .where(eq(staffSessions.tokenHash, hash))
    .get();
  if (!row || row.session.revokedAt || !constantTimeEqual(row.session.tokenHash, hash)) return null;
  const { session } = row;
  if (Date.parse(session.expiresAt) <= now || Date.parse(session.lastSeenAt) + STAFF_IDLE_MS <= now) return null;
  if (Date.parse(session.lastSeenAt) + TOUCH_EVERY_MS <= now) {
    await db.update(staffSessions).set({ lastSeenAt: new Date(now).toISOString() }).where(eq(staffSessions.tokenHash, hash));
  }
  return { sessionId: session.id, staffId: session.staffId, tenantId: session.tenantId, role: row.role };
}

export async function endStaffSession(d1: D1Database, sessionId: string, now = Date.now()): Promise<void> {
  await database(d1).update(staffSessions).set({ revokedAt: new Date(now).toISOString() }).where(eq(staffSessions.id, sessionId));
}

export function staffCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return serialize(STAFF_COOKIE, token, { path: "/", httpOnly: true, sameSite: "Lax", maxAge: maxAgeSeconds, secure });
}

export function clearedStaffCookie(secure: boolean): string {
  return serialize(STAFF_COOKIE, "", { path: "/", httpOnly: true, sameSite: "Lax", maxAge: 0, secure });
}

/** A staff invite's token and row (the row goes into the batch that creates the member of staff). */
export async function newStaffInvite(tenantId: string, staffId: string, now = Date.now()) {
  const token = `si_${randomSecret(32)}`;
  const expiresAt = new Date(now + INVITE_TTL_MS).toISOString();
  return { token, expiresAt, row: { tokenHash: await sha256Hex(token), tenantId, staffId, createdAt: new Date(now).toISOString(), expiresAt } };
}

export async function createTenantInvite(d1: D1Database, now = Date.now()) {
  const token = `ti_${randomSecret(32)}`;
  const expiresAt = new Date(now + INVITE_TTL_MS).toISOString();
  await database(d1).insert(tenantInvites).values({ tokenHash: await sha256Hex(token), createdAt: new Date(now).toISOString(), expiresAt });
  return { token, expiresAt };
}

/** Whether a tenant invite is live (unused, unexpired), without using it. */
export async function tenantInviteIsLive(d1: D1Database, token: string, now = Date.now()): Promise<boolean> {
  if (!/^ti_[A-Za-z0-9_-]{43}$/.test(token)) return false;
  const row = await d1
    .prepare("SELECT 1 AS live FROM tenant_invites WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?")
    .bind(await sha256Hex(token), new Date(now).toISOString())
    .first();
  return row !== null;
}

/** Gives back a tenant invite used at `usedAt` by a sign-up that then failed. */
export async function releaseTenantInvite(d1: D1Database, token: string, usedAt: number): Promise<void> {
  await d1
    .prepare("UPDATE tenant_invites SET used_at = NULL WHERE token_hash = ? AND used_at = ?")
    .bind(await sha256Hex(token), new Date(usedAt).toISOString())
    .run();
}

/**
 * Accepts a staff invite in one D1 batch: the link is used once, and the password is set only if this batch used
 * it (a conditional update), so a failure leaves neither a used link nor a half-made login, nor either unaudited.
 */
export async function acceptStaffInvite(d1: D1Database, token: string, passwordHash: string, audit: D1PreparedStatement, now = Date.now()): Promise<boolean> {
  const hash = await sha256Hex(token);
  const nowIso = new Date(now).toISOString();
  const [used] = await d1.batch([
    d1.prepare("UPDATE staff_invites SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING staff_id").bind(hash, nowIso),
    d1
      .prepare("UPDATE staff SET password_hash = ?3 WHERE id = (SELECT staff_id FROM staff_invites WHERE token_hash = ?1 AND used_at = ?2)")
      .bind(hash, nowIso, passwordHash),
    // Written only if the password was set just now: the invite and its entry commit together.
    audit,
  ]);
  return used.results.length === 1;
}

/** Uses a tenant invite once (a conditional update: of two concurrent sign-ups exactly one gets it). */
export async function redeemTenantInvite(d1: D1Database, token: string, now: number): Promise<boolean> {
  if (!/^ti_[A-Za-z0-9_-]{43}$/.test(token)) return false;
  const nowIso = new Date(now).toISOString();
  const used = await database(d1)
    .update(tenantInvites)
    .set({ usedAt: nowIso })
    .where(and(eq(tenantInvites.tokenHash, await sha256Hex(token)), isNull(tenantInvites.usedAt), gt(tenantInvites.expiresAt, nowIso)))
    .returning({ at: tenantInvites.usedAt });
  return used.length === 1;
}
