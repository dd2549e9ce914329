/**
 * Signing in on the hosted page by phone and SMS code. Asking for a code answers 202 whatever the phone, and does
 * its work after answering, so neither the answer nor its timing says whether the phone belongs to a member.
 */
import type { Context } from "hono";
import { z } from "zod";
import { accountOf } from "../accounts/account-ref";
import { codeHash, generateCode } from "../auth/one-time-code";
import { createSession, sessionCookie } from "../auth/member-sessions";
import { loadTenantIfAny, presentTenant } from "../db/tenants";
import type { Env } from "../env";
import { ApiError } from "../lib/errors";
import { phone } from "../lib/schemas";
import { membersByPhone, presentMember } from "../db/members";
import { chooseSender } from "../sms/choose-sender";
import { serverSecret } from "../lib/server-secret";
import { endpoint, type App, type AppEnv } from "./endpoint";

const tenantId = z.string().regex(/^ten_[0-9a-z]{16}$/, "must be a tenant id");
export const RequestLoginCode = z.strictObject({ tenant_id: tenantId, phone });
export const VerifyLoginCode = z.strictObject({ tenant_id: tenantId, phone, code: z.string().regex(/^[0-9]{6}$/, "must be the 6 digits of the SMS") });

/**
 * The member a phone signs in as: the earliest enrolled one with that number (the code is issued and checked in that
 * account). Others sharing the phone are offered on the page, which can switch to them (`POST /v1/me/switch`).
 */
async function memberByPhone(d1: D1Database, tenant: string, number: string) {
  return (await membersByPhone(d1, tenant, number))[0] ?? null;
}

async function sendLoginCode(env: Env, tenant: string, number: string): Promise<void> {
  const [program, member] = await Promise.all([loadTenantIfAny(env.DB, tenant), memberByPhone(env.DB, tenant, number)]);
  if (!program || !member) return;
  const code = generateCode();
  const account = { tenant_id: tenant, member_id: member.id };
  const stub = accountOf(env, account);
  const issued = await stub.issueLoginCode(account, await codeHash(serverSecret(env), "login", code));
  if (issued.status !== 202) return;
  try {
    await chooseSender(env).send(member.phone, `${program.name}: ${code} is your sign-in code. It expires in 5 minutes. Never share it.`, tenant);
  } catch (error) {
    await stub.forgetCode(account, "login", (issued.body as { issued_at: number }).issued_at);
    console.warn("sign-in SMS failed:", error instanceof Error ? error.message : "unknown error");
  }
}

/** Signing in from another site's form would sign the victim into someone else's account: same origin only. */
function sameOrigin(c: Context<AppEnv>): void {
  const origin = c.req.header("origin");
  if (origin !== undefined && origin !== new URL(c.req.url).origin) throw new ApiError(403, "forbidden", "Sign in from the membership page itself");
}

export function memberLoginRoutes(app: App): void {
  endpoint(
    app,
    {
      method: "post",
      path: "/v1/member-login/codes",
      summary: "Send a sign-in code to a member's phone (202 whether or not the phone is known)",
      tag: "Member",
      auth: [],
      body: RequestLoginCode,
      status: 202,
    },
    async ({ c, env, body }) => {
      sameOrigin(c);
      c.executionCtx.waitUntil(
        sendLoginCode(env, body.tenant_id, body.phone).catch((error) => console.warn("sign-in code failed:", String(error))),
      );
      return { status: 202, body: { sent: true } };
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/member-login/verify",
      summary: "Exchange a sign-in code for the session cookie",
      tag: "Member",
      auth: [],
      body: VerifyLoginCode,
      status: 200,
    },
    async ({ c, env, body }) => {
      sameOrigin(c);
      const [program, member] = await Promise.all([loadTenantIfAny(env.DB, body.tenant_id), memberByPhone(env.DB, body.tenant_id, body.phone)]);
      // An unknown phone answers like a known one that was sent no code.
      if (!program || !member) throw new ApiError(409, "code_not_sent", "No code was sent for this, or it was already used");
      const account = { tenant_id: body.tenant_id, member_id: member.id };
      const verified = await accountOf(env, account).verifyLoginCode(account, await codeHash(serverSecret(env), "login", body.code));
      if (verified.status !== 200) return verified;
      const session = await createSession(env.DB, body.tenant_id, member.id);
      return {
        status: 200,
        body: { member: presentMember(member), tenant: presentTenant(program) },
        headers: { "set-cookie": sessionCookie(session.token, session.maxAgeSeconds, env.ENVIRONMENT !== "development") },
      };
    },
  );
}
