/** Alerts in D1: as the API shows them, and moving one on with its audit entry. */
import { and, eq, inArray } from "drizzle-orm";
import { database } from "./client";
import type { Page } from "../lib/pagination";
import { newestFirst } from "./newest-first";
import { alerts, cards, limits, members, registers, staff, stores } from "./schema";

export type AlertRow = typeof alerts.$inferSelect;

export const presentAlert = (row: AlertRow) => ({
  id: row.id,
  type: row.type,
  limit_id: row.limitId || null,
  scope: row.scope,
  scope_id: row.scopeId,
  metric: row.metric,
  period: row.period,
  bound: row.bound,
  value: row.value,
  operation_id: row.operationId || null,
  created_at: row.createdAt,
  status: row.status,
  acknowledged_at: row.acknowledgedAt,
  acknowledged_by: row.acknowledgedBy,
  resolved_at: row.resolvedAt,
  resolved_by: row.resolvedBy,
  note: row.note,
});

export async function findAlert(d1: D1Database, tenantId: string, alertId: string): Promise<AlertRow | null> {
  return (await database(d1).select().from(alerts).where(and(eq(alerts.tenantId, tenantId), eq(alerts.id, alertId))).get()) ?? null;
}

/**
 * Moves an alert from the status it was read in to its next one, with the audit entry, in one batch. False: its
 * status changed meanwhile (nothing written; read it again).
 */
export async function moveAlert(d1: D1Database, before: AlertRow, after: AlertRow, audit: D1PreparedStatement): Promise<boolean> {
  const [moved] = await d1.batch([
    d1
      .prepare(
        "UPDATE alerts SET status = ?, acknowledged_at = ?, acknowledged_by = ?, resolved_at = ?, resolved_by = ?, note = ? WHERE tenant_id = ? AND id = ? AND status = ?",
      )
      .bind(after.status, after.acknowledgedAt, after.acknowledgedBy, after.resolvedAt, after.resolvedBy, after.note, before.tenantId, before.id, before.status),
    audit,
  ]);
  return (moved.meta.changes ?? 0) === 1;
}

/** What the console shows beside an alert: the limit's method, the card's member, names of places and people. */
export interface AlertContext {
  methods: Map<string, string | null>;
  members: Map<string, { id: string; name: string }>;
  places: Map<string, string>;
  staff: Map<string, string>;
}

export async function alertContext(d1: D1Database, tenantId: string, rows: AlertRow[]): Promise<AlertContext> {
  const db = database(d1);
  const limitIds = [...new Set(rows.map((row) => row.limitId).filter(Boolean))];
  const cardNumbers = [...new Set(rows.filter((row) => row.scope === "card").map((row) => row.scopeId))];
  const [limitRows, cardRows, storeRows, registerRows, staffRows] = await Promise.all([
    limitIds.length ? db.select({ id: limits.id, method: limits.method }).from(limits).where(and(eq(limits.tenantId, tenantId), inArray(limits.id, limitIds))) : [],
    cardNumbers.length
      ? db
          .select({ number: cards.number, memberId: members.id, name: members.name })
          .from(cards)
          .innerJoin(members, and(eq(members.tenantId, cards.tenantId), eq(members.id, cards.memberId)))
          .where(and(eq(cards.tenantId, tenantId), inArray(cards.number, cardNumbers)))
      : [],
    db.select({ id: stores.id, name: stores.name }).from(stores).where(eq(stores.tenantId, tenantId)),
    db.select({ id: registers.id, name: registers.name }).from(registers).where(eq(registers.tenantId, tenantId)),
    db.select({ id: staff.id, email: staff.email }).from(staff).where(eq(staff.tenantId, tenantId)),
  ]);
  return {
    methods: new Map(limitRows.map((row) => [row.id, row.method])),
    members: new Map(cardRows.map((row) => [row.number, { id: row.memberId, name: row.name }])),
    places: new Map([...storeRows, ...registerRows].map((row) => [row.id, row.name])),
    staff: new Map(staffRows.map((row) => [row.id, row.email])),
  };
}

/** A page of the tenant's alerts, newest first, of one status or all. */
export function alertsPage(d1: D1Database, tenantId: string, query: { status?: AlertRow["status"]; cursor?: string; limit: number }) {
  return newestFirst(d1, alerts, tenantId, query, presentAlert, query.status ? [eq(alerts.status, query.status)] : []);
}

/** The console's alerts, newest first: to do (open or being looked at), resolved, or all. */
export function alertsToShow(d1: D1Database, tenantId: string, shown: "todo" | "resolved" | "all"): Promise<Page<AlertRow>> {
  const narrow = shown === "all" ? [] : shown === "resolved" ? [eq(alerts.status, "resolved")] : [inArray(alerts.status, ["open", "acknowledged"])];
  return newestFirst(d1, alerts, tenantId, { limit: 50 }, (row) => row, narrow);
}
