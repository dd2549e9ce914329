/**
 * What each role of merchant staff may do: the one table of back-office route → roles. A console session reaches a
 * back-office route only through this table (a route missing here is refused to every role); a secret key, made for
 * machines, may do everything inside its tenant. `test/staff.test.ts` walks every route of the table.
 *
 * owner: everything. manager: stores, registers, members, cards, operations, limits, settings — not keys, staff,
 * webhook endpoints or alerts. security: reads everything; acknowledges and resolves alerts, blocks and unblocks cards
 * and ends members' sessions; moves no money and changes no limit or setting.
 */
import type { StaffRole } from "./principal";

const ALL: StaffRole[] = ["owner", "manager", "security"];
const MANAGE: StaffRole[] = ["owner", "manager"];
const OWNER: StaffRole[] = ["owner"];
/** The security team's own work: alerts. */
const WATCH: StaffRole[] = ["owner", "security"];

export const STAFF_ROUTES: Record<string, readonly StaffRole[]> = {
  "GET /v1/settings": ALL,
  "PATCH /v1/settings": MANAGE,
  "POST /v1/stores": MANAGE,
  "GET /v1/stores": ALL,
  "GET /v1/stores/:id": ALL,
  "PATCH /v1/stores/:id": MANAGE,
  "POST /v1/stores/:id/registers": MANAGE,
  "GET /v1/stores/:id/registers": ALL,
  "GET /v1/keys": ALL,
  "POST /v1/secret-keys": OWNER,
  "POST /v1/registers/:id/terminal-keys": OWNER,
  "POST /v1/keys/:id/revoke": OWNER,
  "POST /v1/members": MANAGE,
  "GET /v1/members": ALL,
  "GET /v1/members/:id": ALL,
  "GET /v1/members/:id/history": ALL,
  "POST /v1/members/:id/portal-sessions": MANAGE,
  "POST /v1/members/:id/sessions/revoke": ALL,
  "POST /v1/members/:id/cards": MANAGE,
  "GET /v1/cards/:number": ALL,
  "POST /v1/cards/:number/block": ALL,
  "POST /v1/cards/:number/unblock": ALL,
  "POST /v1/cards/:number/replace": MANAGE,
  "GET /v1/operations": ALL,
  "POST /v1/operations/:id/cancel": MANAGE,
  "GET /v1/operations/:id": ALL,
  "POST /v1/limits": MANAGE,
  "GET /v1/limits": ALL,
  "GET /v1/limits/:id/counters": ALL,
  "DELETE /v1/limits/:id": MANAGE,
  "GET /v1/alerts": ALL,
  "POST /v1/alerts/:id/acknowledge": WATCH,
  "POST /v1/alerts/:id/resolve": WATCH,
  "GET /v1/audit-log": ALL,
  "GET /v1/audit-log/verify": ALL,
  "GET /v1/reports/daily": ALL,
  "GET /v1/exports": OWNER,
  "POST /v1/webhook-endpoints": OWNER,
  "GET /v1/webhook-endpoints": ALL,
  "DELETE /v1/webhook-endpoints/:id": OWNER,
  "GET /v1/webhook-endpoints/:id/deliveries": ALL,
  "POST /v1/webhook-endpoints/:id/rotate-secret": OWNER,
  "GET /v1/events": ALL,
  "GET /v1/test/sms": ALL,
  "POST /v1/events/:id/redeliver": OWNER,
  "GET /v1/staff": ALL,
  "GET /v1/staff/me": ALL,
  "POST /v1/staff/me/password": ALL,
  "DELETE /v1/staff-sessions/current": ALL,
  "POST /v1/staff": OWNER,
  "PATCH /v1/staff/:id": OWNER,
  "DELETE /v1/staff/:id": OWNER,
};

/** Whether a role may call a route (`METHOD /path` as the route is declared). */
export function staffMay(role: StaffRole, method: string, path: string): boolean {
  return STAFF_ROUTES[`${method.toUpperCase()} ${path}`]?.includes(role) ?? false;
}
