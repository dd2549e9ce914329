/**
 * Merchant staff and their console sessions (API.md "Merchant staff and the console"): sign-up, signing in and out,
 * passwords, staff with roles and their invites, and the platform's tenant invites.
 */
import type { Context } from "hono";
import { placeNewTenant } from "../shards/shard-directory";
import { z } from "zod";
import { checkPassword, hashPassword, weakPassword } from "../auth/passwords";
import { closeConsoles } from "../operations/console-live";
import { STAFF_ROLES, type Principal } from "../auth/principal";
import {
  clearedStaffCookie,
  acceptStaffInvite,
  createStaffSession,
  createTenantInvite,
  endStaffSession,
  newStaffInvite,
  redeemTenantInvite,
  releaseTenantInvite,
  staffCookie,
  tenantInviteIsLive,
} from "../auth/staff-sessions";
import { auditIfChanged, auditInsert } from "../db/audit";
import { addInvitedStaff, changePassword, changeStaffUnlessLastOwner, dropAttempt, findStaff, forgetFailures, inviteByToken, noteAttempt, presentStaff, staffByEmail, staffOfTenant } from "../db/staff";
import { loadTenant, newTenant, presentTenant, signUpTenant } from "../db/tenants";
import type { Env } from "../env";
import { ApiError, notFound, refusalError } from "../lib/errors";
import { isRefusal } from "../lib/refusal";
import { sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import { serverSecret } from "../lib/server-secret";
import { budgetKeyOf } from "../lib/client-address";
import { endpoint, refuseForeignOrigin, type App, type AppEnv } from "./endpoint";
import * as R from "./responses";
import { CreateTenant } from "./requests";

const email = z.string().trim().toLowerCase().max(254).email("must be an email address");
const password = z.string().max(1024);
const role = z.enum(STAFF_ROLES);

export const SignUp = z.strictObject({
  business_name: CreateTenant.shape.name,
  currency: CreateTenant.shape.currency,
  timezone: CreateTenant.shape.timezone,
  livemode: CreateTenant.shape.livemode,
  email,
  password,
  invite: z.string().max(200).optional(),
});
export const SignIn = z.strictObject({ email, password });
export const ChangePassword = z.strictObject({ current: password, new: password });
export const InviteStaff = z.strictObject({ email, role });
export const ChangeRole = z.strictObject({ role });
export const AcceptInvite = z.strictObject({ password });

const FAILURE_WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES = 5;

const invalidCredentials = () => new ApiError("invalid_credentials", "The email or the password is not right");
const weak = (reason: string) => new ApiError("weak_password", reason, { field: "password" });
const secure = (env: Env) => env.ENVIRONMENT !== "development";

/** The console session behind a call (these routes are for people, not secret keys). */
function staffOf(principal: Extract<Principal, { kind: "secret" }>) {
  if (!principal.staff) throw new ApiError("forbidden", "This is for a member of staff signed in to the console");
  return principal.staff;
}

/** An email's key in the lockout table (its address never stored there). */
const emailKey = (email: string) => sha256Hex(`staff-email:${email}`);

/** Counts a password attempt for an email; over 5 in 15 minutes: 429, with when to try again. */
async function attempt(env: Env, email: string): Promise<void> {
  const now = Date.now();
  const key = await emailKey(email);
  const attempts = await noteAttempt(env.DB, key, now, now - FAILURE_WINDOW_MS);
  if (attempts.n <= MAX_FAILURES) return;
  // A refused attempt is not a failure of its own: the lock ends when the window of the five passes.
  await dropAttempt(env.DB, attempts.row);
  const retryAfter = Math.max(1, Math.ceil((attempts.first + FAILURE_WINDOW_MS - now) / 1000));
  throw new ApiError("rate_limited", "Too many failed sign-ins for this email; try again later", { retry_after: retryAfter });
}

/**
 * Every password check costs 100,000 PBKDF2 rounds: one address gets 20 a minute across sign-in, sign-up and
 * invites (the Rate Limiting binding `PASSWORD_CHECKS`), whatever emails it tries.
 */
async function addressBudget(c: Context<AppEnv>): Promise<void> {
  if ((await c.env.PASSWORD_CHECKS.limit({ key: budgetKeyOf(c.req.raw.headers) })).success) return;
  throw new ApiError("rate_limited", "Too many sign-in attempts from this address; wait a minute", { retry_after: 60 });
}

async function signedIn(env: Env, staffId: string, tenantId: string) {
  const session = await createStaffSession(env.DB, staffId, tenantId);
  return { "set-cookie": staffCookie(session.token, session.maxAgeSeconds, secure(env)) };
}

export function staffRoutes(app: App): void {
  endpoint(
    app,
    { method: "post", path: "/v1/signup", errors: ["email_taken", "invite_required", "no_open_shard", "rate_limited", "weak_password"], response: R.SignedIn, summary: "Create a business and its owner's console login (open sign-up, or a platform invite)", tag: "Console", auth: [], body: SignUp },
    async ({ c, env, body }) => {
      refuseForeignOrigin(c, "Sign in from the console itself");
      const problem = weakPassword(body.password, body.email);
      if (problem) throw weak(problem);
      await addressBudget(c);
      // Without sign-up open, nobody learns which emails have a login before showing a live invite.
      const invited = env.SIGNUP === "open" ? null : body.invite ?? "";
      if (invited !== null && !(await tenantInviteIsLive(env.DB, invited))) throw new ApiError("invite_required", "Sign-up needs an invitation link from Tillsafe");
      if (await staffByEmail(env.DB, body.email)) throw new ApiError("email_taken", "This email already has a Tillsafe login", { field: "email" });
      const redeemedAt = Date.now();
      if (invited !== null && !(await redeemTenantInvite(env.DB, invited, redeemedAt))) {
        throw new ApiError("invite_required", "Sign-up needs an invitation link from Tillsafe");
      }
      const placed = await placeNewTenant(env);
      if (isRefusal(placed)) throw refusalError(placed);
      const tenant = newTenant({ name: body.business_name, currency: body.currency, timezone: body.timezone, livemode: body.livemode, placement: placed.placement });
      const owner = { id: newId("stf"), tenantId: tenant.id, email: body.email, role: "owner" as const, passwordHash: await hashPassword(body.password, serverSecret(env)), createdAt: tenant.createdAt };
      try {
        await signUpTenant(env.DB, tenant, owner, auditInsert(env.DB, { kind: "staff", tenantId: tenant.id, staffId: owner.id }, "tenant.signed_up", tenant.id, { after: presentTenant(tenant) }));
      } catch (error) {
        // The sign-up did not happen: its invite works again.
        if (invited !== null) await releaseTenantInvite(env.DB, invited, redeemedAt);
        // The same email signing up twice at once: the second finds it taken.
        if (String(error).includes("UNIQUE")) throw new ApiError("email_taken", "This email already has a Tillsafe login", { field: "email" });
        throw error;
      }
      return { status: 201, body: { tenant: presentTenant(tenant), staff: presentStaff(owner) }, headers: await signedIn(env, owner.id, tenant.id) };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/staff-sessions", errors: ["invalid_credentials", "rate_limited"], response: R.SignedIn, summary: "Sign in to the console (5 failures per email in 15 minutes, then 429)", tag: "Console", auth: [], body: SignIn, status: 200 },
    async ({ c, env, body }) => {
      refuseForeignOrigin(c, "Sign in from the console itself");
      await addressBudget(c);
      await attempt(env, body.email);
      // An unknown email is checked against a stand-in hash: the same work, the same answer, the same time.
      const member = await staffByEmail(env.DB, body.email);
      if (!(await checkPassword(body.password, member?.passwordHash ?? null, serverSecret(env))) || !member) throw invalidCredentials();
      await forgetFailures(env.DB, await emailKey(body.email));
      const tenant = await loadTenant(env.DB, member.tenantId);
      return { status: 200, body: { staff: presentStaff(member), tenant: presentTenant(tenant) }, headers: await signedIn(env, member.id, member.tenantId) };
    },
  );

  endpoint(
    app,
    { method: "delete", path: "/v1/staff-sessions/current", summary: "Sign out of the console", tag: "Console", auth: ["secret"], status: 204 },
    async ({ env, principal }) => {
      await endStaffSession(env.DB, staffOf(principal).sessionId);
      await closeConsoles(env, principal.tenantId, { session: staffOf(principal).sessionId });
      return { status: 204, body: {}, headers: { "set-cookie": clearedStaffCookie(secure(env)) } };
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/staff/me", response: R.SignedIn, summary: "Who is signed in to the console, and their business", tag: "Console", auth: ["secret"] },
    async ({ env, principal }) => {
      const me = await findStaff(env.DB, principal.tenantId, staffOf(principal).id);
      if (!me) throw new ApiError("unauthenticated", "Missing or invalid credentials");
      return { status: 200, body: { staff: presentStaff(me), tenant: presentTenant(await loadTenant(env.DB, principal.tenantId)) } };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/staff/me/password", errors: ["invalid_credentials", "rate_limited", "weak_password"], response: R.StaffOnly, summary: "Change my password (my other sessions end)", tag: "Console", auth: ["secret"], body: ChangePassword, status: 200 },
    async ({ env, principal, body }) => {
      const session = staffOf(principal);
      const me = await findStaff(env.DB, principal.tenantId, session.id);
      if (!me) throw new ApiError("unauthenticated", "Missing or invalid credentials");
      // Guessing the current password with a stolen session counts against the same lockout as signing in.
      await attempt(env, me.email);
      if (!(await checkPassword(body.current, me.passwordHash, serverSecret(env)))) {
        throw new ApiError("invalid_credentials", "The current password is not right", { field: "current" });
      }
      await forgetFailures(env.DB, await emailKey(me.email));
      const problem = weakPassword(body.new, me.email);
      if (problem) throw new ApiError("weak_password", problem, { field: "new" });
      await changePassword(env.DB, me.id, await hashPassword(body.new, serverSecret(env)), session.sessionId, auditInsert(env.DB, principal, "staff.password_changed", me.id));
      await closeConsoles(env, principal.tenantId, { staff: me.id, except: session.sessionId });
      return { status: 200, body: { staff: presentStaff(me) } };
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/staff", response: R.listOf(R.Staff), summary: "The business's staff and their roles", tag: "Console", auth: ["secret"] },
    async ({ env, principal }) => ({ status: 200, body: { data: (await staffOfTenant(env.DB, principal.tenantId)).map(presentStaff), next_cursor: null } }),
  );

  endpoint(
    app,
    { method: "post", path: "/v1/staff", errors: ["email_taken"], response: R.StaffInvited, summary: "Invite a member of staff: they set a password at the link (single use, 7 days)", tag: "Console", auth: ["secret"], body: InviteStaff },
    async ({ c, env, principal, body, keyed }) => {
      staffOf(principal);
      if (await staffByEmail(env.DB, body.email)) throw new ApiError("email_taken", "This email already has a Tillsafe login", { field: "email" });
      const row = { id: newId("stf"), tenantId: principal.tenantId, email: body.email, role: body.role, passwordHash: null, createdAt: new Date().toISOString() };
      const invite = await newStaffInvite(principal.tenantId, row.id);
      const answer = { status: 201, body: { staff: presentStaff(row), invite_url: `${new URL(c.req.url).origin}/console/invite/${invite.token}`, expires_at: invite.expiresAt } };
      try {
        await addInvitedStaff(env.DB, row, invite.row, auditInsert(env.DB, principal, "staff.invited", row.id, { after: presentStaff(row) }), await keyed.answerWith(answer));
      } catch (error) {
        if (String(error).includes("UNIQUE")) throw new ApiError("email_taken", "This email already has a Tillsafe login", { field: "email" });
        throw error;
      }
      return answer;
    },
  );

  endpoint(
    app,
    { method: "patch", path: "/v1/staff/:id", errors: ["last_owner", "staff_not_found"], response: R.Staff, summary: "Change a member of staff's role (the last owner stays an owner)", tag: "Console", auth: ["secret"], body: ChangeRole },
    async ({ env, principal, param, body }) => {
      staffOf(principal);
      const before = await findStaff(env.DB, principal.tenantId, param("id"));
      if (!before) throw notFound("staff_not_found", "Member of staff");
      const after = { ...before, role: body.role };
      const audit = auditIfChanged(env.DB, principal, "staff.role_changed", before.id, { before: presentStaff(before), after: presentStaff(after) });
      if (!(await changeStaffUnlessLastOwner(env.DB, principal.tenantId, before.id, body.role, audit))) {
        throw new ApiError("last_owner", "The business needs at least one owner: make someone else an owner first");
      }
      // Their pages connect again, under the new role.
      if (before.role !== after.role) await closeConsoles(env, principal.tenantId, { staff: before.id });
      return { status: 200, body: presentStaff(after) };
    },
  );

  endpoint(
    app,
    { method: "delete", path: "/v1/staff/:id", errors: ["last_owner", "staff_not_found"], response: R.StaffRemoved, summary: "Remove a member of staff: their sessions end at once (the last owner stays)", tag: "Console", auth: ["secret"] },
    async ({ env, principal, param }) => {
      staffOf(principal);
      const before = await findStaff(env.DB, principal.tenantId, param("id"));
      if (!before) throw notFound("staff_not_found", "Member of staff");
      const audit = auditIfChanged(env.DB, principal, "staff.removed", before.id, { before: presentStaff(before) });
      if (!(await changeStaffUnlessLastOwner(env.DB, principal.tenantId, before.id, null, audit))) {
        throw new ApiError("last_owner", "The business needs at least one owner: make someone else an owner first");
      }
      await closeConsoles(env, principal.tenantId, { staff: before.id });
      return { status: 200, body: { ...presentStaff(before), deleted: true } };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/staff-invites/:token", errors: ["invite_not_found", "rate_limited", "weak_password"], response: R.SignedIn, summary: "Accept a staff invite: set a password and sign in", tag: "Console", auth: [], body: AcceptInvite, status: 200 },
    async ({ c, env, param, body }) => {
      refuseForeignOrigin(c, "Sign in from the console itself");
      await addressBudget(c);
      const token = param("token");
      // The password is checked before the link is used up, so a refused one leaves the link working.
      const pending = /^si_[A-Za-z0-9_-]{43}$/.test(token)
        ? await inviteByToken(env.DB, await sha256Hex(token))
        : null;
      const invited = pending ? await findStaff(env.DB, pending.tenantId, pending.staffId) : null;
      if (!invited) throw notFound("invite_not_found", "Invite");
      const problem = weakPassword(body.password, invited.email);
      if (problem) throw weak(problem);
      const audit = auditIfChanged(env.DB, { kind: "staff", tenantId: invited.tenantId, staffId: invited.id }, "staff.invite_accepted", invited.id);
      if (!(await acceptStaffInvite(env.DB, token, await hashPassword(body.password, serverSecret(env)), audit))) throw notFound("invite_not_found", "Invite");
      const tenant = await loadTenant(env.DB, invited.tenantId);
      return { status: 200, body: { staff: presentStaff(invited), tenant: presentTenant(tenant) }, headers: await signedIn(env, invited.id, invited.tenantId) };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/tenant-invites", response: R.SignUpLink, summary: "A sign-up link for one business (single use, 7 days), where sign-up is not open", tag: "Platform", auth: ["platform"] },
    async ({ c, env }) => {
      const invite = await createTenantInvite(env.DB);
      return { status: 201, body: { url: `${new URL(c.req.url).origin}/console/signup/${invite.token}`, expires_at: invite.expiresAt } };
    },
  );
}

