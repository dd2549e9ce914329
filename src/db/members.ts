/** Members and the card → member index. A card never changes member, so that mapping is cached for good. */
import { and, asc, eq, inArray, like, or, sql, type SQL } from "drizzle-orm";
import type { AuditWrite } from "./audit";
import { laterOf, overRecords, windowStart } from "./record-tables";
import { acrossShards, type TenantShards } from "../shards/tenant-shards";
import { database, type BatchWrite } from "./client";
import { newestFirst } from "./newest-first";
import { notFound } from "../lib/errors";
import { isId } from "../lib/ids";
import { cards, members } from "./schema";

export type MemberRow = typeof members.$inferSelect;
export type CardRow = typeof cards.$inferSelect;

const CARD_CACHE_MAX = 50_000;
const cardOwners = new Map<string, string>();

export async function findMember(d1: D1Database, tenantId: string, memberId: string): Promise<MemberRow | null> {
  return (
    (await database(d1).select().from(members).where(and(eq(members.tenantId, tenantId), eq(members.id, memberId))).get()) ?? null
  );
}

/** The tenant's members with this phone number, earliest enrolled first (a family may share one phone). */
export async function membersByPhone(d1: D1Database, tenantId: string, phone: string): Promise<MemberRow[]> {
  return database(d1)
    .select()
    .from(members)
    .where(and(eq(members.tenantId, tenantId), eq(members.phone, phone)))
    .orderBy(asc(members.createdAt))
    .all();
}

/** The tenant's other members with this member's phone: whom the member page may switch to. */
export async function othersOnPhone(d1: D1Database, member: MemberRow): Promise<{ id: string; name: string }[]> {
  return (await membersByPhone(d1, member.tenantId, member.phone)).filter((other) => other.id !== member.id).map(({ id, name }) => ({ id, name }));
}

/** The member a card belongs to, or null when the tenant has no such card. */
export async function cardOwner(d1: D1Database, tenantId: string, number: string): Promise<string | null> {
  const key = `${tenantId}/${number}`;
  const cached = cardOwners.get(key);
  if (cached) return cached;
  const row = await database(d1)
    .select({ memberId: cards.memberId })
    .from(cards)
    .where(and(eq(cards.tenantId, tenantId), eq(cards.number, number)))
    .get();
  if (!row) return null;
  if (cardOwners.size >= CARD_CACHE_MAX) cardOwners.clear();
  cardOwners.set(key, row.memberId);
  return row.memberId;
}

export function presentMember(member: MemberRow) {
  return {
    id: member.id,
    name: member.name,
    phone: member.phone,
    external_ref: member.externalRef,
    created_at: member.createdAt,
  };
}

/**
 * What a back-office search for members matches (`GET /v1/members?query=`): a phone in E.164 form exactly, the
 * local digits as typed (`0412 345 678` finds `+61412345678`), a card number exactly, or the start of a name.
 */
export function memberSearch(d1: D1Database, tenantId: string, query: string): SQL | undefined {
  const digits = query.replace(/[\s().-]/g, "");
  const byName = like(sql`lower(${members.name})`, `${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const escapedName = sql`${byName} ESCAPE '\\'`;
  const matches: SQL[] = [escapedName];
  if (/^\+[1-9]\d{6,14}$/.test(digits)) matches.push(eq(members.phone, digits));
  if (/^\d{4,19}$/.test(digits)) {
    const local = digits.replace(/^0+/, "");
    if (local.length >= 6) matches.push(like(members.phone, `%${local}`));
    matches.push(inArray(members.id, database(d1).select({ id: cards.memberId }).from(cards).where(and(eq(cards.tenantId, tenantId), eq(cards.number, digits)))));
  }
  return or(...matches);
}

/**
 * Members with an operation since an instant (or still pending, or ever — as far back as the tenant's history is
 * kept at hand), most recently active first: where a card limit over every card can have counters (each account
 * keeps its own).
 */
export async function recentlyActiveMembers(shards: TenantShards, since: { after?: string; pendingOnly?: boolean }, limit: number, now = Date.now()): Promise<string[]> {
  // "Ever" is as far back as the tenant's history is kept at hand.
  const from = laterOf(since.after, windowStart(shards.retentionDays, now));
  const pages = await acrossShards(shards, (d1) =>
    overRecords(d1, "operations", from, async (tables) => {
      const each = tables.map((table) => `SELECT member_id, created_at FROM ${table} WHERE tenant_id = ?1 AND created_at >= ?2 AND (?3 = 0 OR status = 'pending')`);
      const rows = await d1
        .prepare(`SELECT member_id, MAX(created_at) AS last FROM (${each.join(" UNION ALL ")}) GROUP BY member_id ORDER BY last DESC LIMIT ?4`)
        .bind(shards.tenantId, from, since.pendingOnly ? 1 : 0, limit)
        .all<{ member_id: string; last: string }>();
      return rows.results;
    }),
  );
  // A member active on two shards (two epochs) counts once, at their latest.
  const latest = new Map<string, string>();
  for (const row of pages.flat()) if ((latest.get(row.member_id) ?? "") < row.last) latest.set(row.member_id, row.last);
  return [...latest].sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0)).slice(0, limit).map(([member]) => member);
}

/** A member of the tenant named by a URL, or 404 `member_not_found`. */
export async function requireMember(d1: D1Database, tenantId: string, memberId: string) {
  const member = isId("mem", memberId) ? await findMember(d1, tenantId, memberId) : null;
  if (!member) throw notFound("member_not_found", "Member");
  return member;
}

/** A member enrolled, with the audit entry of their enrolment. */
export async function addMember(d1: D1Database, member: MemberRow, audit: AuditWrite, answer: BatchWrite[] = []): Promise<void> {
  const db = database(d1);
  await db.batch([db.insert(members).values(member), audit, ...answer]);
}

/** A card number given to a member; false when the tenant already has that number. */
export async function addCardNumber(d1: D1Database, tenantId: string, memberId: string, number: string): Promise<boolean> {
  const inserted = await database(d1)
    .insert(cards)
    .values({ tenantId, number, memberId, status: "active", createdAt: new Date().toISOString() })
    .onConflictDoNothing()
    .returning({ number: cards.number });
  return inserted.length > 0;
}

/** A card number taken back from a member (a replacement the account refused). */
export async function dropCardNumber(d1: D1Database, tenantId: string, memberId: string, number: string): Promise<void> {
  await database(d1).delete(cards).where(and(eq(cards.tenantId, tenantId), eq(cards.number, number), eq(cards.memberId, memberId)));
}

/** A page of the tenant's members, newest first, matching `query` when there is one (phone as typed, card, name). */
export function membersPage(d1: D1Database, tenantId: string, page: { limit: number; cursor?: string; query?: string }) {
  return newestFirst(d1, members, tenantId, page, (row) => row, [page.query ? memberSearch(d1, tenantId, page.query) : undefined]);
}
