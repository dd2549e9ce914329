import { isRefusal } from "../lib/refusal";
import { z } from "zod";

import { recordAudit, whoActed } from "../db/audit";
import { addCardNumber, cardOwner, dropCardNumber } from "../db/members";
import { ApiError, notFound } from "../lib/errors";
import { cardNumber } from "../lib/schemas";
import { endpoint, type App } from "./endpoint";
import { requireMember } from "../db/members";
import * as R from "./responses";
import * as EX from "./examples";
import { accountOf } from "../objects";

export const AddCard = z.strictObject({ number: cardNumber });
export const BlockCard = z.strictObject({ reason: z.string().trim().min(1).max(500) }).meta({ examples: [EX.blockCard] });
export const ReplaceCard = z.strictObject({ new_number: cardNumber });

const cardTaken = () => new ApiError("card_number_taken", "This card number already belongs to a member of this business");

async function requireCardOwner(d1: D1Database, tenantId: string, number: string): Promise<string> {
  const owner = cardNumber.safeParse(number).success ? await cardOwner(d1, tenantId, number) : null;
  if (!owner) throw notFound("card_not_found", "Card");
  return owner;
}

export function cardRoutes(app: App): void {
  endpoint(
    app,
    { method: "post", path: "/v1/members/:id/cards", errors: ["card_number_taken", "member_not_found"], response: R.Card, summary: "Issue a card to a member", tag: "Back office", auth: ["secret"], body: AddCard },
    async ({ env, principal, param, body, keyed }) => {
      const member = await requireMember(env.DB, principal.tenantId, param("id"));
      // A retry of a request that died after giving this member the number goes on to finish it.
      const finishing = keyed.retrying && (await cardOwner(env.DB, principal.tenantId, body.number)) === member.id;
      if (!finishing && !(await addCardNumber(env.DB, principal.tenantId, member.id, body.number))) throw cardTaken();
      const account = { tenant_id: principal.tenantId, member_id: member.id };
      const card = await accountOf(env, account).addCard(account, body.number);
      await recordAudit(env.DB, principal, "card.issued", body.number, { after: card });
      return { status: 201, body: card };
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/cards/:number", errors: ["card_not_found"], response: R.Card, summary: "Read a card", tag: "Back office", auth: ["secret"] },
    async ({ env, principal, param }) => {
      const number = param("number");
      const account = { tenant_id: principal.tenantId, member_id: await requireCardOwner(env.DB, principal.tenantId, number) };
      const { cards: memberCards } = await accountOf(env, account).summary(account);
      const card = memberCards.find((c) => c.number === number);
      return { status: 200, body: card ?? { number, status: "active", block_reason: null, replaced_by: null, member_id: account.member_id } };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/cards/:number/block", errors: ["card_not_found"], response: R.Card, summary: "Block a card (lost or stolen)", tag: "Back office", auth: ["secret"], body: BlockCard, status: 200 },
    async ({ env, principal, param, body }) => {
      const number = param("number");
      const account = { tenant_id: principal.tenantId, member_id: await requireCardOwner(env.DB, principal.tenantId, number) };
      return accountOf(env, account).blockCard(account, number, body.reason, whoActed(principal));
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/cards/:number/unblock", errors: ["card_not_found", "card_replaced"], response: R.Card, summary: "Unblock a blocked card", tag: "Back office", auth: ["secret"], status: 200 },
    async ({ env, principal, param }) => {
      const number = param("number");
      const account = { tenant_id: principal.tenantId, member_id: await requireCardOwner(env.DB, principal.tenantId, number) };
      return accountOf(env, account).unblockCard(account, number, whoActed(principal));
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/cards/:number/replace", errors: ["card_not_found", "card_number_taken", "card_replaced"], response: R.Card,
      summary: "Replace a card: the old one is blocked for good, balances stay with the member",
      tag: "Back office",
      auth: ["secret"],
      body: ReplaceCard,
      status: 200,
    },
    async ({ env, principal, param, body }) => {
      const number = param("number");
      const memberId = await requireCardOwner(env.DB, principal.tenantId, number);
      const account = { tenant_id: principal.tenantId, member_id: memberId };
      const fresh = await addCardNumber(env.DB, principal.tenantId, memberId, body.new_number);
      if (!fresh && (await cardOwner(env.DB, principal.tenantId, body.new_number)) !== memberId) throw cardTaken();
      const outcome = await accountOf(env, account).replaceCard(account, number, body.new_number, fresh, whoActed(principal));
      if (isRefusal(outcome) && fresh) {
        // The account refused: the new number must not stay behind as a usable card.
        await dropCardNumber(env.DB, principal.tenantId, memberId, body.new_number);
      }
      return outcome;
    },
  );
}
