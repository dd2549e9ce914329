import { z } from "zod";

import { endMemberSessions } from "../auth/member-sessions";
import { memberSignInLink } from "../operations/member-sign-in-link";
import { auditInsert } from "../db/audit";
import { addMember, presentMember, requireMember } from "../db/members";
import { findMembers, memberWithAccount } from "../operations/find-members";
import { newId } from "../lib/ids";
import { name, pageQuery, phone } from "../lib/schemas";
import { historyPage } from "../operations/member-history";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";
import * as EX from "./examples";
import { accountOf } from "../objects";

export const FindMembers = pageQuery.extend({ query: z.string().trim().min(1).max(100).optional() });

export const CreateMember = z
  .strictObject({
    name,
    phone,
    external_ref: z.string().trim().min(1).max(200).optional(),
  })
  .meta({ examples: [EX.createMember] });

const ZERO = { balance: 0, available: 0 };

export function memberRoutes(app: App): void {
  endpoint(
    app,
    { method: "post", path: "/v1/members", response: R.Member, summary: "Enrol a member", tag: "Back office", auth: ["secret"], body: CreateMember },
    async ({ env, principal, body, keyed }) => {
      const member = {
        id: newId("mem"),
        tenantId: principal.tenantId,
        name: body.name,
        phone: body.phone,
        externalRef: body.external_ref ?? null,
        createdAt: new Date().toISOString(),
      };
      const answer = { status: 201, body: { ...presentMember(member), balances: { credit: ZERO, cashback: ZERO, points: ZERO }, cards: [] } };
      await addMember(env.DB, member, auditInsert(env.DB, principal, "member.created", member.id, { after: presentMember(member) }), await keyed.answerWith(answer));
      return answer;
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/members", response: R.listOf(R.Member), summary: "Members newest first; ?query= finds a phone (as typed), a card number or the start of a name", tag: "Back office", auth: ["secret"], query: FindMembers },
    async ({ env, principal, query }) => ({ status: 200, body: await findMembers(env, principal.tenantId, query) }),
  );

  endpoint(
    app,
    { method: "get", path: "/v1/members/:id", errors: ["member_not_found"], response: R.Member, summary: "Read a member with balances and cards", tag: "Back office", auth: ["secret"] },
    async ({ env, principal, param }) => {
      const member = await requireMember(env.DB, principal.tenantId, param("id"));
      return { status: 200, body: await memberWithAccount(env, principal.tenantId, member) };
    },
  );

  endpoint(
    app,
    {
      method: "get",
      path: "/v1/members/:id/history", errors: ["shard_unavailable", "member_not_found"], response: R.listOf(R.HistoryEntry),
      summary: "A member's history, newest first",
      tag: "Back office",
      auth: ["secret"],
      query: pageQuery,
    },
    async ({ env, principal, param, query }) => {
      const member = await requireMember(env.DB, principal.tenantId, param("id"));
      return { status: 200, body: await historyPage(env, principal.tenantId, member.id, query) };
    },
  );
}

export function portalSessionRoutes(app: App): void {
  endpoint(
    app,
    {
      method: "post",
      path: "/v1/members/:id/portal-sessions", errors: ["member_not_found", "rate_limited", "sms_provider_error"], response: R.PortalLink,
      summary: "A one-time link (10 minutes) that signs the member into the hosted page: a secret key gets it (201); a member of staff has it sent to the member's phone (202 { sent_to })",
      tag: "Back office",
      auth: ["secret"],
    },
    async ({ c, env, principal, param }) => memberSignInLink(env, principal, param("id"), new URL(c.req.url).origin),
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/members/:id/sessions/revoke", errors: ["member_not_found"], response: R.SessionsRevoked,
      summary: "End every hosted-page session of the member at once (and void unused portal links); open pages are closed",
      tag: "Back office",
      auth: ["secret"],
      status: 200,
    },
    async ({ env, principal, param }) => {
      const member = await requireMember(env.DB, principal.tenantId, param("id"));
      const ended = await endMemberSessions(env.DB, principal.tenantId, member.id, principal);
      const account = { tenant_id: principal.tenantId, member_id: member.id };
      await accountOf(env, account).endSessions(ended);
      return { status: 200, body: { revoked: ended.length } };
    },
  );
}
