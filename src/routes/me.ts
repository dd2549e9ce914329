/** The member's own API, behind the hosted page's session cookie (or a `Bearer ms_…` member session token). */
import { getCookie } from "hono/cookie";
import { z } from "zod";

import { cardOwner, findMember, membersByPhone, othersOnPhone, presentMember } from "../db/members";
import { clearedSessionCookie, endSession, SESSION_COOKIE, sessionCookie, switchSession } from "../auth/member-sessions";
import { ApiError, notFound } from "../lib/errors";
import { cardNumber, pageQuery } from "../lib/schemas";
import { whoActed } from "../db/audit";
import { endpoint, requirePrincipal, type App } from "./endpoint";
import { historyPage } from "../operations/member-history";
import * as R from "./responses";
import { checkUpgrade, handOver } from "./live-sockets";
import { accountOf } from "../objects";

export const ListApprovalRequests = pageQuery.extend({
  status: z.enum(["pending", "approved", "rejected", "superseded", "expired", "cancelled"]).optional(),
});

export const SwitchMember = z.strictObject({ member_id: z.string().regex(/^mem_[0-9a-z]{16}$/, "must be a member id") });

const accountOfMember = (principal: { tenantId: string; memberId: string }) => ({ tenant_id: principal.tenantId, member_id: principal.memberId });

export function meRoutes(app: App): void {
  endpoint(
    app,
    { method: "get", path: "/v1/me", response: R.Me, summary: "The member, balances and cards", tag: "Member", auth: ["member"] },
    async ({ env, principal }) => {
      const member = await findMember(env.DB, principal.tenantId, principal.memberId);
      if (!member) throw notFound("member_not_found", "Member");
      const account = accountOfMember(principal);
      const [{ balances, cards }, others] = await Promise.all([accountOf(env, account).summary(account), othersOnPhone(env.DB, member)]);
      return { status: 200, body: { member: presentMember(member), balances, cards, members_on_this_phone: others } };
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/me/switch", errors: ["member_not_found"], response: R.Switched,
      summary: "Move the page's session to another member on the same phone (one of `members_on_this_phone`)",
      tag: "Member",
      auth: ["member"],
      body: SwitchMember,
      status: 200,
    },
    async ({ c, env, principal, body }) => {
      const token = principal.viaCookie ? getCookie(c, SESSION_COOKIE) : null;
      if (!token) throw new ApiError("forbidden", "Switching members is for the membership page's own session");
      const me = await findMember(env.DB, principal.tenantId, principal.memberId);
      const sharing = me ? await membersByPhone(env.DB, me.tenantId, me.phone) : [];
      // Anyone else is answered like a member that does not exist.
      const member = sharing.find((other) => other.id === body.member_id && other.id !== principal.memberId);
      if (!member) throw notFound("member_not_found", "Member");
      const session = await switchSession(env.DB, token, member.id);
      if (!session) throw new ApiError("unauthenticated", "Missing or invalid credentials");
      // Pages still open under the old session stop receiving this member's requests.
      const account = accountOfMember(principal);
      await accountOf(env, account).endSessions([principal.sessionId]);
      return {
        status: 200,
        body: { member: presentMember(member) },
        headers: { "set-cookie": sessionCookie(session.token, session.maxAgeSeconds, env.ENVIRONMENT !== "development") },
      };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/me/logout", summary: "Sign out: this session's cookie and token stop working at once", tag: "Member", auth: ["member"], status: 204 },
    async ({ env, principal }) => {
      await endSession(env.DB, principal.sessionId);
      const account = accountOfMember(principal);
      await accountOf(env, account).endSessions([principal.sessionId]);
      return { status: 204, body: {}, headers: { "set-cookie": clearedSessionCookie(env.ENVIRONMENT !== "development") } };
    },
  );

  endpoint(
    app,
    { method: "get", errors: ["shard_unavailable"], path: "/v1/me/history", response: R.listOf(R.HistoryEntry), summary: "The member's history, newest first", tag: "Member", auth: ["member"], query: pageQuery },
    async ({ env, principal, query }) => ({ status: 200, body: await historyPage(env, principal.tenantId, principal.memberId, query) }),
  );

  endpoint(
    app,
    {
      method: "get",
      path: "/v1/me/approval-requests", response: R.listOf(R.ApprovalRequest),
      summary: "Approval requests, newest first (?status=pending retrieves the ones missed)",
      tag: "Member",
      auth: ["member"],
      query: ListApprovalRequests,
    },
    async ({ env, principal, query }) => {
      const account = accountOfMember(principal);
      return { status: 200, body: await accountOf(env, account).approvalRequests(query.status ?? null, query.limit, query.cursor ?? null) };
    },
  );

  for (const answer of ["approve", "reject"] as const) {
    endpoint(
      app,
      {
        method: "post",
        path: `/v1/me/approval-requests/:id/${answer}`,
        errors: ["approval_request_not_found", "approval_request_closed"],
        response: R.ApprovalRequest,
        summary: answer === "approve" ? "Approve a request" : "Reject a request",
        tag: "Member",
        auth: ["member"],
        status: 200,
      },
      async ({ env, principal, param }) => {
        const account = accountOfMember(principal);
        // An answer given in a session opened from a back-office link says so, on the request and its event.
        return accountOf(env, account).answerApproval(param("id"), answer, Date.now(), principal.via);
      },
    );
  }

  endpoint(
    app,
    { method: "post", path: "/v1/me/cards/:number/block", errors: ["card_not_found"], response: R.Card, summary: "Block my card (lost or stolen)", tag: "Member", auth: ["member"], status: 200, audited: true },
    async ({ env, principal, param }) => {
      const number = param("number");
      const owner = cardNumber.safeParse(number).success ? await cardOwner(env.DB, principal.tenantId, number) : null;
      if (owner !== principal.memberId) throw notFound("card_not_found", "Card");
      const account = accountOfMember(principal);
      return accountOf(env, account).blockCard(account, number, "blocked by the member", whoActed(principal));
    },
  );

  // The live channel of the member page: the Worker checks the session and the Origin, the AccountDO keeps the socket.
  app.get("/v1/me/events", async (c) => {
    checkUpgrade(c, "member page");
    const principal = await requirePrincipal(c, ["member"]);
    return handOver(c, accountOf(c.env, accountOfMember(principal)), principal.sessionId, principal.tenantId);
  });
}
