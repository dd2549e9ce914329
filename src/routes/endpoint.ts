/**
 * The one adapter every JSON route goes through: auth → zod → call → JSON. It also records each endpoint for
 * the OpenAPI document, so the contract served at /openapi.json is built from the schemas that validate.
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import { authenticate, bearerToken } from "../auth/credentials";
import { getCookie } from "hono/cookie";
import { SESSION_COOKIE, verifySession } from "../auth/member-sessions";
import { STAFF_COOKIE, verifyStaffSession } from "../auth/staff-sessions";
import { staffMay } from "../auth/staff-roles";
import type { Principal, Role, StaffRole } from "../auth/principal";
import type { Env } from "../env";
import { idempotent, UNKEYED, type KeyedWrite } from "../idempotency";
import { ApiError, invalidRequest } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import { answerOf, type Outcome, type Result } from "../lib/outcome";
import type { ErrorCode } from "../lib/error-codes";
import { serverSecret } from "../lib/server-secret";
import { sealAuditLog } from "../operations/audit-log";
import { recordDecidedAudit } from "../db/audit";
import { loadTenant } from "../db/tenants";
import { withLivemode } from "../tenants/livemode";

export type AppEnv = { Bindings: Env };
export type App = Hono<AppEnv>;

type Method = "get" | "post" | "patch" | "delete";

export interface EndpointSpec<R extends Role, B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  method: Method;
  /** Hono path syntax (`/v1/stores/:id`). */
  path: string;
  summary: string;
  tag: string;
  auth: readonly R[];
  body?: B;
  query?: Q;
  /** Status of a successful answer, for the document. */
  status?: number;
  /** The successful answer's body, as the document declares it (and the tests hold every answer to). */
  response?: z.ZodType;
  /** The successful answer is a file of this content type (a day's archive), not JSON. */
  file?: string;
  /**
   * The error codes this route may answer beyond those every route of its kind may (see `commonErrors`); the
   * document lists them, and the tests refuse an answered code the route does not name.
   */
  errors?: readonly ErrorCode[];
  /** The route writes audit entries though its caller is not the back office (a member blocking their card). */
  audited?: boolean;
  /**
   * The handler dedupes its Idempotency-Key itself, in the same transaction as its effect (creating an operation):
   * the shared replay below stays out of its way.
   */
  ownIdempotency?: boolean;
}

export interface Call<R extends Role, B, Q> {
  c: Context<AppEnv>;
  env: Env;
  principal: Extract<Principal, { kind: R }>;
  body: B;
  query: Q;
  param(name: string): string;
  idempotencyKey: string | null;
  /** For a change written to D1: its Idempotency-Key's answer, to commit in the same batch (nothing without a key). */
  keyed: KeyedWrite;
  /** SHA-256 of method, path and raw body: what "the same request" means for idempotency. */
  fingerprint(): Promise<string>;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export interface DocumentedEndpoint {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  auth: readonly Role[];
  body?: z.ZodType;
  query?: z.ZodType;
  status: number;
  response?: z.ZodType;
  file?: string;
  /** Every code it may answer, the common ones included. */
  errors: ErrorCode[];
}

/**
 * What any route of a kind may answer: bad input, a refused origin or role, a missing credential, a body too large,
 * a key reused, and for a path with a parameter the router's `not_found` (a value that is no path segment).
 */
export function commonErrors(spec: { method: Method; path: string; auth: readonly Role[]; ownIdempotency?: boolean }): ErrorCode[] {
  const codes: ErrorCode[] = ["invalid_request", "forbidden", "payload_too_large"];
  if (spec.auth.length > 0) codes.push("unauthenticated");
  if (spec.path.includes(":")) codes.push("not_found");
  // The shared replay of Idempotency-Keys (a route that dedupes its own key answers reuse itself, not in-progress).
  if (spec.method === "post" && spec.auth.some((role) => role !== "member")) codes.push(...(spec.ownIdempotency ? ["idempotency_key_reused" as const] : ["idempotency_key_in_progress" as const, "idempotency_key_reused" as const]));
  return codes;
}

export const documented: DocumentedEndpoint[] = [];

export function endpoint<R extends Role, B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  app: App,
  spec: EndpointSpec<R, B, Q>,
  handler: (call: Call<R, Infer<B>, Infer<Q>>) => Promise<Outcome | Result<unknown>>,
): void {
  const status = spec.status ?? (spec.method === "post" ? 201 : 200);
  documented.push({ ...spec, status, errors: [...new Set([...commonErrors(spec), ...(spec.errors ?? [])])] });
  app.on(spec.method.toUpperCase(), spec.path, async (c) => {
    // An endpoint with no roles is public (signing in); every other one needs a credential.
    const principal = spec.auth.length === 0 ? undefined : await requirePrincipal(c, spec.auth);
    const staff = (principal as Principal | undefined)?.kind === "secret" ? (principal as { staff?: { role: StaffRole } }).staff : undefined;
    if (staff && !staffMay(staff.role, spec.method, spec.path)) throw new ApiError("forbidden", `The ${staff.role} role may not do this`);
    const rawBody = spec.method === "get" || spec.method === "delete" ? "" : await c.req.text();
    const body = spec.body ? parseBody(spec.body, rawBody) : expectEmpty(rawBody);
    const query = spec.query ? parseQuery(spec.query, c.req.query()) : undefined;
    const idempotencyKey = readIdempotencyKey(c);
    const call = {
      c,
      env: c.env,
      principal,
      body,
      query,
      param: (name: string) => c.req.param(name) ?? "",
      idempotencyKey,
      keyed: UNKEYED,
      fingerprint: () => sha256Hex(`${spec.method} ${c.req.path}\n${rawBody}`),
    } as Call<R, Infer<B>, Infer<Q>>;

    // An object's or a rule's result is answered here: a refusal by its code, a value with the documented status.
    const run = async (keyed: KeyedWrite = UNKEYED) => answerOf(await handler({ ...call, keyed }), status);
    const keyOwner = spec.method === "post" && idempotencyKey && !spec.ownIdempotency ? keyOwnerOf(principal as Principal | undefined) : null;
    const decided = keyOwner
      ? await idempotent(c.env.DB, serverSecret(c.env), { ...keyOwner, key: idempotencyKey!, fingerprint: await call.fingerprint() }, run)
      : await run();
    // An error carries no object: only a successful answer needs the tenant's livemode.
    const livemode = decided.status < 300 ? await livemodeOf(c.env, principal as Principal | undefined, decided) : null;
    const outcome = livemode === null ? decided : withLivemode(decided, livemode);
    // A change an object decided comes with its audit entry (in the object's outbox too, should this write fail).
    // The change is made: a failed write here is not the caller's error, and the outbox still brings the entry.
    if (outcome.audit) await recordDecidedAudit(c.env.DB, outcome.audit).catch((error) => console.warn("audit write failed; the outbox has it:", String(error)));
    // A back-office change (or one a spec marks) may have written audit entries: the tenant's sealer chains them.
    if (spec.method !== "get" && outcome.status < 300 && (spec.audited || outcome.audit || (principal as Principal | undefined)?.kind === "secret")) {
      const tenantId = (principal as { tenantId: string }).tenantId;
      c.executionCtx.waitUntil(sealAuditLog(c.env, tenantId).catch((error) => console.warn("audit seal failed:", String(error))));
    }
    if (outcome.status === 204) return c.body(null, 204, outcome.headers);
    // A text body is JSON unless the handler said otherwise (the day's report as CSV).
    if ("json" in outcome) return c.body(outcome.json, outcome.status as 200, { "content-type": "application/json", ...outcome.headers });
    if ("file" in outcome) return c.body(outcome.file, outcome.status as 200, outcome.headers);
    return c.json(outcome.body, outcome.status as 200, outcome.headers);
  });
}

/**
 * Whether the answer's tenant is live: the credential's, or (signing up, signing in, the platform making one) the
 * tenant the answer names. Null: the platform's answer about no tenant (its shards), which has no tenant's objects.
 */
async function livemodeOf(env: Env, principal: Principal | undefined, outcome: Outcome): Promise<boolean | null> {
  if (principal && principal.kind !== "platform") return (await loadTenant(env.DB, principal.tenantId)).livemode;
  const tenant = "body" in outcome ? (outcome.body as { tenant?: { livemode?: unknown } }).tenant : undefined;
  if (principal?.kind === "platform" && tenant === undefined) return null;
  return typeof tenant?.livemode === "boolean" ? tenant.livemode : true;
}

/**
 * Whose Idempotency-Keys a credential's POSTs are kept under: every key and the platform token replay their first
 * answer (API.md). Members' page actions are not keyed (null).
 */
function keyOwnerOf(principal: Principal | undefined): { tenantId: string; credentialId: string } | null {
  if (!principal || principal.kind === "member") return null;
  if (principal.kind === "platform") return { tenantId: "platform", credentialId: "platform" };
  return { tenantId: principal.tenantId, credentialId: principal.credentialId };
}

export async function requirePrincipal<R extends Role>(c: Context<AppEnv>, roles: readonly R[]): Promise<Extract<Principal, { kind: R }>> {
  const token = bearerToken(c.req.header("authorization"));
  let principal = token ? await authenticate(c.env, token) : null;
  if (!token && (roles as readonly Role[]).includes("member")) principal = await memberFromCookie(c);
  if (!token && !principal && (roles as readonly Role[]).includes("secret")) principal = await staffFromCookie(c);
  if (!principal) throw new ApiError("unauthenticated", "Missing or invalid credentials");
  if (!roles.includes(principal.kind as R)) {
    throw new ApiError("forbidden", "These credentials may not do this");
  }
  return principal as Extract<Principal, { kind: R }>;
}

/** The member of the page's session cookie. A cookie only counts on a request from the page's own origin. */
async function memberFromCookie(c: Context<AppEnv>): Promise<Principal | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return null;
  const origin = c.req.header("origin");
  if (c.req.method !== "GET" && origin !== undefined && origin !== new URL(c.req.url).origin) {
    throw new ApiError("forbidden", "Cross-origin requests may not use the member session");
  }
  const session = await verifySession(c.env.DB, token);
  return session ? { kind: "member", tenantId: session.tenantId, memberId: session.memberId, sessionId: session.id, viaCookie: true, via: session.via } : null;
}

/**
 * A member of staff's console session (the `tillsafe_staff` cookie), as the back office within their role. A change
 * made with the cookie must come from the console's own origin: a missing or foreign Origin is refused.
 */
async function staffFromCookie(c: Context<AppEnv>): Promise<Principal | null> {
  const token = getCookie(c, STAFF_COOKIE);
  if (!token) return null;
  if (c.req.method !== "GET" && c.req.method !== "HEAD" && c.req.header("origin") !== new URL(c.req.url).origin) {
    throw new ApiError("forbidden", "Changes made with the console's session must come from the console itself");
  }
  const session = await verifyStaffSession(c.env.DB, token);
  if (!session) return null;
  return { kind: "secret", tenantId: session.tenantId, credentialId: session.staffId, staff: { id: session.staffId, role: session.role, sessionId: session.sessionId } };
}

/**
 * Signing in or up from another site's form would sign the victim into someone else's account: such a request may
 * carry no Origin (some clients send none) or the page's own, never another.
 */
export function refuseForeignOrigin(c: Context<AppEnv>, message: string): void {
  const origin = c.req.header("origin");
  if (origin !== undefined && origin !== new URL(c.req.url).origin) throw new ApiError("forbidden", message);
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw invalidRequest("The body is not valid JSON");
  }
}

function parseBody<T extends z.ZodType>(schema: T, raw: string): z.infer<T> {
  // An empty body reads as {}: fine where every field has a default, a clear 400 naming the field elsewhere.
  return validate(schema, raw.trim() === "" ? {} : parseJson(raw), "body");
}

function expectEmpty(raw: string): undefined {
  if (raw.trim() !== "" && raw.trim() !== "{}") {
    const parsed = parseJson(raw);
    if (typeof parsed !== "object" || parsed === null || Object.keys(parsed).length > 0) {
      throw invalidRequest("This endpoint takes no body");
    }
  }
  return undefined;
}

function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> {
  return validate(schema, query, "query");
}

export function validate<T extends z.ZodType>(schema: T, value: unknown, where: "body" | "query"): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const first = issues[0];
  throw invalidRequest(`Invalid ${where}${first ? `: ${first.path ? `${first.path}: ` : ""}${first.message}` : ""}`, { issues });
}

function readIdempotencyKey(c: Context<AppEnv>): string | null {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return null;
  if (key.length < 1 || key.length > 255) throw invalidRequest("Idempotency-Key must be 1–255 characters");
  return key;
}
