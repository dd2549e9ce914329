/**
 * A sign-in link to a member's hosted page, asked for by the back office. A member of staff never sees it: it goes to
 * the member's phone by SMS (counted with sign-in codes, in `sms_signin_per_hour`, so it never uses up the tills'
 * SMS), and staff cannot open the member's page and answer for them. A secret key (a merchant's own app, which embeds
 * the page) gets the URL. Either way the link is audited with who asked, in the same write that makes it, and a
 * session opened from it answers approval requests with `via: "link"`.
 */
import { maskPhone } from "../auth/one-time-code";
import { createPortalLink, PORTAL_LINK_TTL_MS } from "../auth/member-sessions";
import type { Principal } from "../auth/principal";
import { auditInsert } from "../db/audit";
import { requireMember } from "../db/members";
import { loadTenant } from "../db/tenants";
import type { Env } from "../env";
import { refusalError } from "../lib/errors";
import { sendTenantSms, signinBudgetLeft, smsFailure } from "./send-sms";

export type SignInLink = { status: 201; body: { url: string; expires_at: string } } | { status: 202; body: { sent_to: string } };

export async function memberSignInLink(env: Env, principal: Extract<Principal, { kind: "secret" }>, memberId: string, origin: string): Promise<SignInLink> {
  const member = await requireMember(env.DB, principal.tenantId, memberId);
  if (!principal.staff) {
    const link = await createPortalLink(env.DB, principal.tenantId, member.id, [auditInsert(env.DB, principal, "member.portal_link_created", member.id, { after: { delivered: "shown" } })]);
    return { status: 201, body: { url: `${origin}/portal/${link.token}`, expires_at: link.expiresAt } };
  }
  const tenant = await loadTenant(env.DB, principal.tenantId);
  // Over the hour's budget, no link is made at all.
  const exhausted = await signinBudgetLeft(env, tenant);
  if (exhausted) throw refusalError(exhausted);
  const sentTo = maskPhone(member.phone);
  const link = await createPortalLink(env.DB, principal.tenantId, member.id, [
    auditInsert(env.DB, principal, "member.portal_link_created", member.id, { after: { delivered: "sms", sent_to: sentTo } }),
  ]);
  const minutes = Math.round(PORTAL_LINK_TTL_MS / 60_000);
  const text = `${tenant.name}: open your membership page with this link (once, within ${minutes} minutes): ${origin}/portal/${link.token}. Never share it.`;
  let refusal;
  try {
    refusal = await sendTenantSms(env, tenant, member.phone, text, "sms_signin_per_hour");
  } catch (error) {
    throw smsFailure(error);
  }
  if (refusal) throw refusalError(refusal);
  return { status: 202, body: { sent_to: sentTo } };
}
