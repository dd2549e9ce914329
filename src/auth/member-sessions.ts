/**
 * Member access to the hosted page: one-time portal links (10 minutes) exchanged for a session, and sessions with
 * an idle and an absolute expiry. Tokens are 256-bit random strings; D1 keeps only their SHA-256.
 */
import { whoActed, type Actor } from "../db/audit";
import { and, eq, gt, isNull } from "drizzle-orm";
import { serialize } from "hono/utils/cookie";
import { database, type BatchWrite } from "../db/client";
import { memberSessions, portalLinks } from "../db/schema";
import { constantTimeEqual, randomSecret, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";

export const PORTAL_LINK_TTL_MS = 10 * 60 * 1000;
export const SESSION_IDLE_MS = 12 * 3600 * 1000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;
export const SESSION_COOKIE = "tillsafe_session";

/** How a member's session was opened: the member signing in by phone, or a link the back office asked for. */
export type SessionVia = "member" | "link";

export interface MemberSession {
  id: string;
  tenantId: string;
  memberId: string;
  via: SessionVia;
}

/** A one-time link made, in one batch with what must be written with it (its audit entry). */
export async function createPortalLink(d1: D1Database, tenantId: string, memberId: string, withIt: BatchWrite[] = [], now = Date.now()) {
  const token = `pl_${randomSecret(32)}`;
  const expiresAt = new Date(now + PORTAL_LINK_TTL_MS).toISOString();
  const db = database(d1);
  await db.batch([db.insert(portalLinks).values({ tokenHash: await sha256Hex(token), tenantId, memberId, createdAt: new Date(now).toISOString(), expiresAt }), ...withIt]);
  return { token, expiresAt };
}

/** The stored hash of a link's token, or null when the text cannot be a link's token at all. */
const portalTokenHash = async (token: string) => (/^pl_[A-Za-z0-9_-]{43}$/.test(token) ? sha256Hex(token) : null);

/** Uses a portal link once: the conditional update lets exactly one of two concurrent clicks through. */
export async function redeemPortalLink(d1: D1Database, token: string, now = Date.now()): Promise<{ tenantId: string; memberId: string } | null> {
  const tokenHash = await portalTokenHash(token);
  if (tokenHash === null) return null;
  const nowIso = new Date(now).toISOString();
  const used = await database(d1)
    .update(portalLinks)
    .set({ usedAt: nowIso })
    .where(and(eq(portalLinks.tokenHash, tokenHash), isNull(portalLinks.usedAt), gt(portalLinks.expiresAt, nowIso)))
    .returning({ tenantId: portalLinks.tenantId, memberId: portalLinks.memberId });
  return used[0] ?? null;
}

/** The program a sign-in link belonged to, whatever became of it (null: no such link). */
export async function portalLinkTenant(d1: D1Database, token: string): Promise<string | null> {
  const tokenHash = await portalTokenHash(token);
  if (tokenHash === null) return null;
  const row = await database(d1).select({ tenantId: portalLinks.tenantId }).from(portalLinks).where(eq(portalLinks.tokenHash, tokenHash)).get();
  return row?.tenantId ?? null;
}

export async function createSession(d1: D1Database, tenantId: string, memberId: string, via: SessionVia, now = Date.now()) {
  const token = `ms_${randomSecret(32)}`;
  const nowIso = new Date(now).toISOString();
  const expiresAt = new Date(now + SESSION_ABSOLUTE_MS).toISOString();
  await database(d1)
    .insert(memberSessions)
    .values({ tokenHash: await sha256Hex(token), id: newId("ses"), tenantId, memberId, createdAt: nowIso, lastSeenAt: nowIso, expiresAt, via });
  return { token, expiresAt, maxAgeSeconds: Math.floor(SESSION_ABSOLUTE_MS / 1000) };
}

/**
 * Moves a page's session to another member (one who shares the phone): a new token for that member with the old
 * session's absolute expiry (switching never extends a session), and the old token revoked. One D1 batch revokes
 * the old token only if it is still live and inserts the new one only if that revocation happened, so of two
 * concurrent switches with one token exactly one gets a session.
 */
export async function switchSession(d1: D1Database, token: string, memberId: string, now = Date.now()) {
  const oldHash = await sha256Hex(token);
  const next = `ms_${randomSecret(32)}`;
  const nowIso = new Date(now).toISOString();
  const [, inserted] = await d1.batch([
    d1.prepare("UPDATE member_sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL").bind(oldHash, nowIso),
    d1
      .prepare(
        `INSERT INTO member_sessions (token_hash, id, tenant_id, member_id, created_at, last_seen_at, expires_at, revoked_at, via)
         SELECT ?2, ?3, tenant_id, ?4, ?5, ?5, expires_at, NULL, via FROM member_sessions WHERE token_hash = ?1 AND changes() = 1
         RETURNING expires_at`,
      )
      .bind(oldHash, await sha256Hex(next), newId("ses"), memberId, nowIso),
  ]);
  const expiresAt = (inserted.results[0] as { expires_at: string } | undefined)?.expires_at;
  if (expiresAt === undefined) return null;
  return { token: next, maxAgeSeconds: Math.max(0, Math.floor((Date.parse(expiresAt) - now) / 1000)) };
}

export async function verifySession(d1: D1Database, token: string, now = Date.now()): Promise<MemberSession | null> {
  if (!/^ms_[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const hash = await sha256Hex(token);
  const db = database(d1);
  const row = await db.select().from(memberSessions).where(eq(memberSessions.tokenHash, hash)).get();
  if (!row || row.revokedAt || !constantTimeEqual(row.tokenHash, hash)) return null;
  if (Date.parse(row.expiresAt) <= now || Date.parse(row.lastSeenAt) + SESSION_IDLE_MS <= now) return null;
  if (Date.parse(row.lastSeenAt) + TOUCH_EVERY_MS <= now) {
    await db.update(memberSessions).set({ lastSeenAt: new Date(now).toISOString() }).where(eq(memberSessions.tokenHash, hash));
  }
  return { id: row.id, tenantId: row.tenantId, memberId: row.memberId, via: row.via };
}

/** Ends one session (signing out): its cookie and token stop working at once. */
export async function endSession(d1: D1Database, sessionId: string, now = Date.now()): Promise<void> {
  await database(d1)
    .update(memberSessions)
    .set({ revokedAt: new Date(now).toISOString() })
    .where(and(eq(memberSessions.id, sessionId), isNull(memberSessions.revokedAt)));
}

/**
 * Ends every live session of a member, voids the portal links not used yet (they would open a new one), and writes
 * the audit entry with how many sessions were live — one D1 batch, so neither a link redeemed meanwhile nor a
 * failure between the steps leaves a revocation half done or unaudited. Answers the ids of the sessions it ended.
 */
export async function endMemberSessions(d1: D1Database, tenantId: string, memberId: string, by: Actor, now = Date.now()): Promise<string[]> {
  const who = whoActed(by);
  const nowIso = new Date(now).toISOString();
  const idleSince = new Date(now - SESSION_IDLE_MS).toISOString();
  const live = "tenant_id = ?1 AND member_id = ?2 AND revoked_at IS NULL AND expires_at > ?3 AND last_seen_at > ?4";
  const [, revoked] = await d1.batch([
    d1
      .prepare(
        `INSERT INTO audit_log (id, tenant_id, actor, actor_type, action, subject_id, before, after, created_at)
         SELECT ?5, ?1, ?6, ?7, 'member.sessions_revoked', ?2, NULL, json_object('revoked', COUNT(*)), ?3 FROM member_sessions WHERE ${live}`,
      )
      .bind(tenantId, memberId, nowIso, idleSince, newId("aud"), who.actor, who.actor_type),
    d1.prepare(`UPDATE member_sessions SET revoked_at = ?3 WHERE ${live} RETURNING id`).bind(tenantId, memberId, nowIso, idleSince),
    d1.prepare("UPDATE portal_links SET used_at = ?3 WHERE tenant_id = ?1 AND member_id = ?2 AND used_at IS NULL").bind(tenantId, memberId, nowIso),
  ]);
  return (revoked.results as { id: string }[]).map((row) => row.id);
}

/** The cookie that takes the session cookie off the browser. */
export function clearedSessionCookie(secure: boolean): string {
  return serialize(SESSION_COOKIE, "", { path: "/", httpOnly: true, sameSite: "Lax", maxAge: 0, secure });
}

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return serialize(SESSION_COOKIE, token, { path: "/", httpOnly: true, sameSite: "Lax", maxAge: maxAgeSeconds, secure });
}
