/**
 * Bearer credentials → principal. Keys are looked up by their id and their secret's hash compared in constant
 * time; a verified token is cached in the isolate for a short while so the hot path hashes nothing.
 */
import { eq } from "drizzle-orm";
import { database } from "../db/client";
import { apiKeys } from "../db/schema";
import type { Env } from "../env";
import { constantTimeEqual, sha256Hex } from "../lib/crypto";
import { ShortCache } from "../lib/short-cache";
import { parseKey } from "./keys";
import { verifySession } from "./member-sessions";
import type { Principal } from "./principal";

const CACHE_TTL_MS = 30_000;
const verified = new ShortCache<Principal>(CACHE_TTL_MS, 10_000);

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

export async function authenticate(env: Env, token: string): Promise<Principal | null> {
  if (token.startsWith("ms_")) {
    const session = await verifySession(env.DB, token);
    return session ? { kind: "member", tenantId: session.tenantId, memberId: session.memberId, sessionId: session.id, viaCookie: false, via: session.via } : null;
  }
  const parsed = parseKey(token);
  if (!parsed) {
    // Not a key: only the platform token is left. Hashing both sides makes the comparison length-independent.
    if (env.PLATFORM_TOKEN && constantTimeEqual(await sha256Hex(token), await sha256Hex(env.PLATFORM_TOKEN))) {
      return { kind: "platform" };
    }
    return null;
  }
  const cached = verified.get(token);
  if (cached) return cached;

  const row = await database(env.DB).select().from(apiKeys).where(eq(apiKeys.id, parsed.id)).get();
  if (!row || row.revokedAt || row.kind !== parsed.kind) return null;
  if (!constantTimeEqual(await sha256Hex(parsed.secret), row.secretHash)) return null;
  await noteUse(env.DB, row.id, row.lastUsedAt);
  const principal: Principal =
    row.kind === "secret"
      ? { kind: "secret", tenantId: row.tenantId, credentialId: row.id }
      : { kind: "terminal", tenantId: row.tenantId, credentialId: row.id, storeId: row.storeId!, registerId: row.registerId! };
  return verified.set(token, principal);
}

/**
 * Keeps a key's `last_used_at` to the minute. It is written only here, when an isolate verifies the key (at most
 * every CACHE_TTL_MS), so the hot path writes nothing for it.
 */
async function noteUse(d1: D1Database, keyId: string, lastUsedAt: string | null, now = Date.now()): Promise<void> {
  if (lastUsedAt !== null && Date.parse(lastUsedAt) > now - 60_000) return;
  await d1.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").bind(new Date(now).toISOString(), keyId).run();
}

/** Drops a revoked key from this isolate's cache at once (other isolates let it lapse within CACHE_TTL_MS). */
export function forgetKey(keyId: string): void {
  verified.deleteWhere((principal) => principal.kind !== "platform" && principal.kind !== "member" && principal.credentialId === keyId);
}
