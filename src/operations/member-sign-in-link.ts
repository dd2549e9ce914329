/**
 * A sign-in link to a member's hosted page, asked for by the back office. A member of staff never sees it: it goes to
 * the member's phone by SMS, so staff cannot open the member's page and answer for them. A secret key (a merchant's
 * own app, which embeds the page) gets the URL. Either way the link is audited with who asked, and a session opened
 * from it answers approval requests with `via: "link"`.
 */
import { maskPhone } from "../auth/one-time-code";
import { createPortalLink, PORTAL_LINK_TTL_MS } from "../auth/member-sessions";
import type { Principal } from "../auth/principal";
import { recordAudit } from "../db/audit";
import { requireMember } from "../db/members";
import { loadTenant } from "../db/tenants";
import type { Env } from "../env";
import { ApiError, refusalError } from "../lib/errors";
import { SmsProviderError } from "../sms/sms-sender";
import { sendTenantSms } from "./send-sms";

export type SignInLink = { status: 201; body: { url: string; expires_at: string } } | { status: 202; body: { sent_to: string } };

export async function memberSignInLink(env: Env, principal: Extract<Principal, { kind: "secret" }>, memberId: string, origin: string): Promise<SignInLink> {
  const member = await requireMember(env.DB, principal.tenantId, memberId);
  const link = await createPortalLink(env.DB, principal.tenantId, member.id);
  const url = `${origin}/portal/${link.token}`;
  if (!principal.staff) {
    await recordAudit(env.DB, principal, "member.portal_link_created", member.id, { after: { delivered: "shown", expires_at: link.expiresAt } });
    return { status: 201, body: { url, expires_at: link.expiresAt } };
  }
  const tenant = await loadTenant(env.DB, principal.tenantId);
  const minutes = Math.round(PORTAL_LINK_TTL_MS / 60_000);
  const text = `${tenant.name}: open your membership page with this link (once, within ${minutes} minutes): ${url}. Never share it.`;
  let refusal;
  try {
    refusal = await sendTenantSms(env, tenant, member.phone, text);
  } catch (error) {
    if (error instanceof SmsProviderError) throw new ApiError("sms_provider_error", "The SMS could not be sent; try again", { provider_status: error.providerStatus });
    throw error;
  }
  if (refusal) throw refusalError(refusal);
  const sentTo = maskPhone(member.phone);
  await recordAudit(env.DB, principal, "member.portal_link_created", member.id, { after: { delivered: "sms", sent_to: sentTo, expires_at: link.expiresAt } });
  return { status: 202, body: { sent_to: sentTo } };
}
