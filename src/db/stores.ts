/** Stores and registers: records, presenters, and a short per-isolate cache of a store's flags for the till. */
import { and, asc, eq } from "drizzle-orm";
import { ShortCache } from "../lib/short-cache";
import { database } from "./client";
import { registers, stores } from "./schema";

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
