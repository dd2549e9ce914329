/**
 * Signing in on the hosted page by phone and SMS code. Asking for a code answers 202 whatever the phone, and does
 * its work after answering, so neither the answer nor its timing says whether the phone belongs to a member.
 */
import { isRefusal } from "../lib/refusal";
import { testCodeOf } from "../tenants/test-mode";
import { z } from "zod";

import { codeHash, generateCode } from "../auth/one-time-code";
import { createSession, sessionCookie } from "../auth/member-sessions";
import { loadTenantIfAny, presentTenant, type TenantRow } from "../db/tenants";
import type { Env } from "../env";
import type { AccountRef } from "../accounts/account-ref";

import { refusalError } from "../lib/errors";
import { budgetKeyOf } from "../lib/client-address";
import { randomSecret, sha256Hex } from "../lib/crypto";
import { countUnsentSigninSms, sendTenantSms, signinBudgetLeft } from "../operations/send-sms";
import { phone } from "../lib/schemas";
import { membersByPhone, presentMember, type MemberRow } from "../db/members";
import { serverSecret } from "../lib/server-secret";
import { endpoint, refuseForeignOrigin, type App } from "./endpoint";
import * as R from "./responses";
import { refuse } from "../lib/refusal";
import { accountOf } from "../objects";

const tenantId = z.string().regex(/^ten_[0-9a-z]{16}$/, "must be a tenant id");
export const RequestLoginCode = z.strictObject({ tenant_id: tenantId, phone });
export const VerifyLoginCode = z.strictObject({ tenant_id: tenantId, phone, code: z.string().regex(/^[0-9]{6}$/, "must be the 6 digits of the SMS") });

/**
 * Where a phone's sign-in codes live. A member's phone: the earliest enrolled member with that number (others sharing
 * it are offered on the page, which can switch to them, `POST /v1/me/switch`). A phone no member has: an account of
 * its own that is sent nothing, keeping a code no SMS can match, so its answers (202, attempts counting down,
 * exhaustion) are those of a known phone whose member typed the wrong code.
 */
async function signInAccount(env: Env, tenant: string, number: string): Promise<{ account: AccountRef; member: MemberRow | null }> {
  const member = (await membersByPhone(env.DB, tenant, number))[0] ?? null;
  if (member) return { account: { tenant_id: tenant, member_id: member.id }, member };
  return { account: { tenant_id: tenant, member_id: `unenrolled_${(await sha256Hex(number)).slice(0, 32)}` }, member: null };
}

async function sendLoginCode(env: Env, program: TenantRow | null, tenant: string, number: string): Promise<void> {
  const { account, member } = await signInAccount(env, tenant, number);
  const code = (program && testCodeOf(program.livemode, member?.phone)) ?? generateCode();
  const sendable = program !== null && member !== null;
  const hash = await codeHash(serverSecret(env), "login", sendable ? code : `unenrolled:${randomSecret(16)}`);
  const stub = accountOf(env, account);
  const issued = await stub.issueLoginCode(account, hash);
  if (isRefusal(issued) || !program) return;
  // A phone nobody enrolled costs the SMS budget what a member's phone costs: the budget tells nobody who is enrolled.
  if (!member) return void (await countUnsentSigninSms(env, program));
  try {
    const text = `${program.name}: ${code} is your sign-in code. It expires in 5 minutes. Never share it.`;
    // The budget was looked at before answering; an hour used up since then sends nothing.
    await sendTenantSms(env, program, member.phone, text, "sms_signin_per_hour");
  } catch (error) {
    console.warn("sign-in SMS failed:", error instanceof Error ? error.message : "unknown error");
  }
  // A code that could not be sent stays, as an unknown phone's does: the next answers are the same for both.
}

export function memberLoginRoutes(app: App): void {
  endpoint(
    app,
    {
      method: "post",
      path: "/v1/member-login/codes", errors: ["rate_limited"], response: R.LoginCodeSent,
      summary: "Send a sign-in code to a member's phone (202 whether or not the phone is known)",
      tag: "Member",
      auth: [],
      body: RequestLoginCode,
      status: 202,
    },
    async ({ c, env, body }) => {
      refuseForeignOrigin(c, "Sign in from the membership page itself");
      // Budgets first, alike for every phone: 5 codes a minute from one address, and the tenant's sign-in SMS of the hour.
      if (!(await env.SIGNIN_CODES.limit({ key: budgetKeyOf(c.req.raw.headers) })).success) {
        throw refusalError(refuse("rate_limited", "Too many sign-in codes were asked for from this address; wait a minute", { retry_after: 60 }));
      }
      const program = await loadTenantIfAny(env.DB, body.tenant_id);
      const exhausted = program ? await signinBudgetLeft(env, program) : null;
      if (exhausted) throw refusalError(exhausted);
      c.executionCtx.waitUntil(
        sendLoginCode(env, program, body.tenant_id, body.phone).catch((error) => console.warn("sign-in code failed:", String(error))),
      );
      return { status: 202, body: { sent: true } };
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/member-login/verify", errors: ["code_attempts_exhausted", "code_not_sent", "code_expired", "invalid_code"], response: R.MemberSignedIn,
      summary: "Exchange a sign-in code for the session cookie",
      tag: "Member",
      auth: [],
      body: VerifyLoginCode,
      status: 200,
    },
    async ({ c, env, body }) => {
      refuseForeignOrigin(c, "Sign in from the membership page itself");
      const [program, { account, member }] = await Promise.all([
        loadTenantIfAny(env.DB, body.tenant_id),
        signInAccount(env, body.tenant_id, body.phone),
      ]);
      // A phone no member has is checked against its own account too: the same answers, in the same steps.
      const verified = await accountOf(env, account).verifyLoginCode(await codeHash(serverSecret(env), "login", body.code));
      if (isRefusal(verified)) return verified;
      if (!program || !member) throw new Error("an unenrolled phone's code matched");
      const session = await createSession(env.DB, body.tenant_id, member.id, "member");
      return {
        status: 200,
        body: { member: presentMember(member), tenant: presentTenant(program) },
        headers: { "set-cookie": sessionCookie(session.token, session.maxAgeSeconds, env.ENVIRONMENT !== "development") },
      };
    },
  );
}
