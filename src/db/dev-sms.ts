/** Development: messages go to a D1 table, listed by GET /v1/dev/sms, instead of a provider. */
import { and, desc, eq } from "drizzle-orm";
import { database } from "./client";
import { devSms } from "./schema";
import { newId } from "../lib/ids";
import type { SmsSender } from "../sms/sms-sender";

export class DevOutboxSender implements SmsSender {
  constructor(private readonly d1: D1Database) {}

  async send(to: string, body: string, tenantId: string): Promise<void> {
    await database(this.d1).insert(devSms).values({ id: newId("sms"), tenantId, to, body, createdAt: new Date().toISOString() });
  }
}

export async function devMessages(d1: D1Database, filter: { phone?: string; tenantId?: string }, limit: number) {
  const rows = await database(d1)
    .select()
    .from(devSms)
    .where(and(filter.phone ? eq(devSms.to, filter.phone) : undefined, filter.tenantId ? eq(devSms.tenantId, filter.tenantId) : undefined))
    .orderBy(desc(devSms.createdAt), desc(devSms.seq))
    .limit(limit);
  return rows.map((row) => ({ to: row.to, body: row.body, created_at: row.createdAt }));
}
