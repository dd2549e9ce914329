/** Keys in D1: the live ones, and revoking one with its audit entry. */
import { and, desc, eq, isNull } from "drizzle-orm";
import { database, type BatchWrite } from "./client";
import type { AuditWrite } from "./audit";
import { apiKeys } from "./schema";

type KeyRow = typeof apiKeys.$inferSelect;
export const presentKey = (row: KeyRow) => ({
  id: row.id,
  kind: row.kind,
  store_id: row.storeId,
  register_id: row.registerId,
  created_at: row.createdAt,
  revoked_at: row.revokedAt,
  last_used_at: row.lastUsedAt ?? null,
});

/** The tenant's keys not revoked, newest first (never their hashes). */
export async function liveKeysOfTenant(d1: D1Database, tenantId: string) {
  return database(d1)
    .select({ id: apiKeys.id, kind: apiKeys.kind, registerId: apiKeys.registerId, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
}

/** Revokes a live key of the tenant and records it, in one batch. False: no such live key (nothing written). */
export async function revokeKey(d1: D1Database, tenantId: string, keyId: string, at: string, audit: D1PreparedStatement): Promise<boolean> {
  const [revoked] = await d1.batch([
    d1.prepare("UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL").bind(at, tenantId, keyId),
    audit,
  ]);
  return (revoked.meta.changes ?? 0) === 1;
}

export type NewKey = typeof apiKeys.$inferInsert;

/** Every key of the tenant, live and revoked, newest first. */
export function keysOfTenant(d1: D1Database, tenantId: string): Promise<KeyRow[]> {
  return database(d1).select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(desc(apiKeys.createdAt));
}

/** A key issued, with the audit entry of its issue. */
export async function addKey(d1: D1Database, row: NewKey, audit: AuditWrite, answer: BatchWrite[] = []): Promise<void> {
  const db = database(d1);
  await db.batch([db.insert(apiKeys).values(row), audit, ...answer]);
}

/** A key of the tenant not revoked yet. */
export async function keyNotRevoked(d1: D1Database, tenantId: string, keyId: string): Promise<KeyRow | null> {
  return (await database(d1).select().from(apiKeys).where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt))).get()) ?? null;
}
