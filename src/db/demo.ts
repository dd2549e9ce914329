/** The demo business of a local server (`npm start`): its records in D1, written once (a repeat changes nothing). */
import { database } from "./client";
import { apiKeys, cards, members, registers, staff, stores, tenants } from "./schema";

export interface DemoRecords {
  tenantId: string;
  storeId: string;
  registerId: string;
  memberId: string;
  secretKey: { id: string; hash: string };
  terminalKey: { id: string; hash: string };
  owner: { id: string; email: string; passwordHash: string };
  card: string;
}

export async function addDemoRecords(d1: D1Database, demo: DemoRecords, now: string): Promise<void> {
  const { tenantId, storeId, registerId, memberId } = demo;
  const db = database(d1);
  await db.batch([
    db.insert(tenants).values({ id: tenantId, name: "Cafe Aroma", currency: "USD", timezone: "Australia/Sydney", createdAt: now, approvalRequiredFor: '["credit","cashback"]', placement: '[{"starts_at":"","shards":["shard-0"]}]' }).onConflictDoNothing(),
    db.insert(stores).values({ id: storeId, tenantId, name: "Cafe Aroma — King St", smsConfirmPointsDeduction: true, createdAt: now }).onConflictDoNothing(),
    db.insert(registers).values({ id: registerId, tenantId, storeId, name: "Front counter", createdAt: now }).onConflictDoNothing(),
    db.insert(apiKeys).values({ id: demo.secretKey.id, tenantId, kind: "secret", secretHash: demo.secretKey.hash, createdAt: now }).onConflictDoNothing(),
    db.insert(apiKeys).values({ id: demo.terminalKey.id, tenantId, kind: "terminal", secretHash: demo.terminalKey.hash, storeId, registerId, createdAt: now }).onConflictDoNothing(),
    db.insert(members).values({ id: memberId, tenantId, name: "Nicola", phone: "+61412345678", createdAt: now }).onConflictDoNothing(),
    db.insert(staff).values({ id: demo.owner.id, tenantId, email: demo.owner.email, role: "owner", passwordHash: demo.owner.passwordHash, createdAt: now }).onConflictDoNothing(),
    db.insert(cards).values({ tenantId, number: demo.card, memberId, createdAt: now }).onConflictDoNothing(),
  ]);
}
