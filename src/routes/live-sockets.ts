/**
 * The live pages' WebSockets (/v1/me/events, /v1/alerts/live): the Worker checks the upgrade and the page's Origin,
 * the route checks the credential, and the object that keeps the sockets gets the upgrade with the session (so an
 * ended session closes its sockets) and whether the tenant is live (so its messages say so, like every answer).
 */
import type { Context } from "hono";
import { loadTenant } from "../db/tenants";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "./endpoint";

/** Refuses what is not a WebSocket upgrade from the page's own origin (`page` names it in the error). */
export function checkUpgrade(c: Context<AppEnv>, page: string): void {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new ApiError("upgrade_required", "This endpoint takes a WebSocket upgrade");
  if (c.req.header("origin") !== new URL(c.req.url).origin) throw new ApiError("forbidden", `The WebSocket must come from the ${page}'s own origin`);
}

/** `staffId`: a console page's, so every socket of a member of staff can be closed when their access changes. */
export async function handOver(c: Context<AppEnv>, keeper: { fetch(request: Request): Promise<Response> }, sessionId: string, tenantId: string, staffId?: string): Promise<Response> {
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-tillsafe-session", sessionId);
  if (staffId) headers.set("x-tillsafe-staff", staffId);
  headers.set("x-tillsafe-livemode", String((await loadTenant(c.env.DB, tenantId)).livemode));
  return keeper.fetch(new Request(c.req.raw.url, { headers }));
}
