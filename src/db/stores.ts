/** Stores and registers: records, presenters, and a short per-isolate cache of a store's flags for the till. */
import { and, asc, desc, eq } from "drizzle-orm";
import { ShortCache } from "../lib/short-cache";
import type { AuditWrite } from "./audit";
import { database, type BatchWrite } from "./client";
import type { NewKey } from "./keys";
import { newestFirst } from "./newest-first";
import { apiKeys, registers, stores } from "./schema";

export type StoreRow = typeof stores.$inferSelect;
export type RegisterRow = typeof registers.$inferSelect;

const cache = new ShortCache<StoreRow | null>(5_000);

export async function findStore(d1: D1Database, tenantId: string, storeId: string): Promise<StoreRow | null> {
  return cache.through(
    `${tenantId}/${storeId}`,
    async () => (await database(d1).select().from(stores).where(and(eq(stores.tenantId, tenantId), eq(stores.id, storeId))).get()) ?? null,
  );
}

/** Register names last an hour in an isolate (renaming is not offered). */
const registerNames = new ShortCache<string>(3_600_000);

/** A register's name, for the member's approval pop-up. */
export async function registerName(d1: D1Database, tenantId: string, registerId: string): Promise<string> {
  return registerNames.through(`${tenantId}/${registerId}`, async () => {
    const row = await database(d1)
      .select({ name: registers.name })
      .from(registers)
      .where(and(eq(registers.tenantId, tenantId), eq(registers.id, registerId)))
      .get();
    return row?.name ?? "";
  });
}

export function forgetStore(tenantId: string, storeId: string): void {
  cache.delete(`${tenantId}/${storeId}`);
}

export function presentStore(store: StoreRow) {
  return {
    id: store.id,
    name: store.name,
    sms_confirm_points_deduction: store.smsConfirmPointsDeduction,
    created_at: store.createdAt,
  };
}

export function presentRegister(register: RegisterRow) {
  return { id: register.id, store_id: register.storeId, name: register.name, created_at: register.createdAt };
}

/** The tenant's stores and their registers, oldest first (the order they were set up). */
export async function storesWithRegisters(d1: D1Database, tenantId: string): Promise<{ store: StoreRow; registers: RegisterRow[] }[]> {
  const db = database(d1);
  const [storeRows, registerRows] = await Promise.all([
    db.select().from(stores).where(eq(stores.tenantId, tenantId)).orderBy(asc(stores.createdAt), asc(stores.id)),
    db.select().from(registers).where(eq(registers.tenantId, tenantId)).orderBy(asc(registers.createdAt), asc(registers.id)),
  ]);
  return storeRows.map((store) => ({ store, registers: registerRows.filter((register) => register.storeId === store.id) }));
}

export async function findRegister(d1: D1Database, tenantId: string, registerId: string): Promise<RegisterRow | null> {
  return (await database(d1).select().from(registers).where(and(eq(registers.tenantId, tenantId), eq(registers.id, registerId))).get()) ?? null;
}

/** A store created, with the audit entry of its making. */
export async function addStore(d1: D1Database, store: StoreRow, audit: AuditWrite, answer: BatchWrite[] = []): Promise<void> {
  const db = database(d1);
  await db.batch([db.insert(stores).values(store), audit, ...answer]);
}

/** A page of the tenant's stores, newest first. */
export function storesPage(d1: D1Database, tenantId: string, page: { cursor?: string; limit: number }) {
  return newestFirst(d1, stores, tenantId, page, presentStore);
}

/** A store as stored now (never from a cache: what a change starts from). */
export async function storeAsStored(d1: D1Database, tenantId: string, storeId: string): Promise<StoreRow | null> {
  return (await database(d1).select().from(stores).where(and(eq(stores.tenantId, tenantId), eq(stores.id, storeId))).get()) ?? null;
}

/** A store's name or SMS setting changed, with the audit entry of the change. */
export async function changeStore(d1: D1Database, store: StoreRow, changes: Partial<Pick<StoreRow, "name" | "smsConfirmPointsDeduction">>, audit: AuditWrite): Promise<void> {
  const db = database(d1);
  await db.batch([db.update(stores).set(changes).where(and(eq(stores.tenantId, store.tenantId), eq(stores.id, store.id))), audit]);
  forgetStore(store.tenantId, store.id);
}

/** A register created with its first terminal key, and the audit entry of its making. */
export async function addRegister(d1: D1Database, register: RegisterRow, key: NewKey, audit: AuditWrite, answer: BatchWrite[] = []): Promise<void> {
  const db = database(d1);
  await db.batch([db.insert(registers).values(register), db.insert(apiKeys).values(key), audit, ...answer]);
}

/** A store's registers, newest first. */
export function registersOfStore(d1: D1Database, tenantId: string, storeId: string): Promise<RegisterRow[]> {
  return database(d1).select().from(registers).where(and(eq(registers.tenantId, tenantId), eq(registers.storeId, storeId))).orderBy(desc(registers.createdAt), desc(registers.id));
}

/** The tenant's stores, newest first (the console's home). */
export function storesNewestFirst(d1: D1Database, tenantId: string): Promise<StoreRow[]> {
  return database(d1).select().from(stores).where(eq(stores.tenantId, tenantId)).orderBy(desc(stores.createdAt));
}
