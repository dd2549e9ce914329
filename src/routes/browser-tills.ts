/**
 * Browser tills: a web POS on one of the tenant's `allowed_origins` may call the terminal routes (CORS, with hono's
 * `cors`). Nothing is allowed by default.
 * - A preflight names no tenant: it is answered for an origin some tenant allows (the browser then sends the
 *   request, whose key says which tenant it is).
 * - A request from another site, made with a terminal key, is refused (403 `forbidden`, nothing done) unless that
 *   key's tenant allows its origin; allowed, the answer carries `Access-Control-Allow-Origin`.
 * Requests with no `Origin` (a POS server) and pages of Tillsafe itself are not concerned.
 */
import { cors } from "hono/cors";
import type { Context } from "hono";
import { authenticate, bearerToken } from "../auth/credentials";
import { loadTenant, settingsOf, someTenantAllows } from "../db/tenants";
import { ApiError } from "../lib/errors";
import type { App, AppEnv } from "./endpoint";

/** The paths of the terminal routes (`/v1/operations/*` covers `/v1/operations` too; secret keys get no CORS). */
const TILL_PATHS = ["/v1/terminal", "/v1/operations/*"];

async function allowedOrigin(origin: string, c: Context<AppEnv>): Promise<string | null> {
  if (!origin || origin === new URL(c.req.url).origin) return null;
  if (c.req.method === "OPTIONS") return (await someTenantAllows(c.env.DB, origin)) ? origin : null;
  const token = bearerToken(c.req.header("authorization"));
  const principal = token ? await authenticate(c.env, token) : null;
  // No key, or a revoked one: the page may still read its 401 (and tell "key revoked" from "offline") when its
  // origin passed the preflight. A secret key's answers are never for a browser.
  if (!principal) return (await someTenantAllows(c.env.DB, origin)) ? origin : null;
  if (principal.kind !== "terminal") return null;
  if (!settingsOf(await loadTenant(c.env.DB, principal.tenantId)).allowed_origins.includes(origin)) {
    throw new ApiError("forbidden", `Pages of ${origin} may not use this key: add the origin to the business's allowed_origins`);
  }
  return origin;
}

export function browserTillRoutes(app: App): void {
  const tills = cors({
    origin: allowedOrigin,
    allowMethods: ["GET", "POST", "PATCH"],
    allowHeaders: ["authorization", "content-type", "idempotency-key", "x-request-id"],
    exposeHeaders: ["retry-after", "x-request-id"],
    maxAge: 600,
  });
  for (const path of TILL_PATHS) app.use(path, tills);
}
