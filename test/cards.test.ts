import { describe, expect, it } from "vitest";
import { api, balances, createOperation, createShop, expectError, expectInvariants, topUp, uniqueCard } from "./helpers";

const sale = (card: string) => ({ type: "purchase", card, cheque: { number: "K-1", total: 1000 }, payments: [{ method: "credit", amount: 1000 }] });

describe("cards", () => {
  it("a card number is unique inside its tenant but not across tenants", async () => {
    const shop = await createShop();
    const member = await api("POST", "/v1/members", { token: shop.secret, body: { name: "Bo", phone: "+61400000002" } });
    expectError(await api("POST", `/v1/members/${member.body.id}/cards`, { token: shop.secret, body: { number: shop.card } }), 409, "card_number_taken");
    const other = await createShop();
    const otherMember = await api("POST", "/v1/members", { token: other.secret, body: { name: "Cy", phone: "+61400000003" } });
    const issued = await api("POST", `/v1/members/${otherMember.body.id}/cards`, { token: other.secret, body: { number: shop.card } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ number: shop.card, status: "active", member_id: otherMember.body.id });
  });

  it("blocking cancels the card's pending operations, releases holds, and refuses accruals and deductions", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const pending = await createOperation(shop, sale(shop.card));
    expect((await balances(shop)).credit.available).toBe(4000);

    const blocked = await api("POST", `/v1/cards/${shop.card}/block`, { token: shop.secret, body: { reason: "lost" } });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toEqual({ number: shop.card, status: "blocked", block_reason: "lost", replaced_by: null, member_id: shop.memberId, livemode: true });
    expect((await api("GET", `/v1/operations/${pending.body.id}`, { token: shop.terminal })).body.status).toBe("cancelled");
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 5000 });

    expectError(await createOperation(shop, sale(shop.card)), 409, "card_blocked");
    expectError(await createOperation(shop, { type: "top_up", card: shop.card, method: "credit", amount: 100 }), 409, "card_blocked");
    expectError(await createOperation(shop, { type: "manual_accrual", card: shop.card, method: "points", amount: 5, reason: "x" }), 409, "card_blocked");

    const unblocked = await api("POST", `/v1/cards/${shop.card}/unblock`, { token: shop.secret });
    expect(unblocked.body.status).toBe("active");
    expect((await createOperation(shop, sale(shop.card))).status).toBe(201);
    await expectInvariants(shop);
    const d1Card = await api("GET", `/v1/cards/${shop.card}`, { token: shop.secret });
    expect(d1Card.body.status).toBe("active");
  });

  it("replacing blocks the old card for good and the member keeps balances on the new one", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const pending = await createOperation(shop, sale(shop.card));
    const newCard = uniqueCard();
    const replaced = await api("POST", `/v1/cards/${shop.card}/replace`, { token: shop.secret, body: { new_number: newCard } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ number: shop.card, status: "replaced", replaced_by: newCard });
    expect((await api("GET", `/v1/operations/${pending.body.id}`, { token: shop.terminal })).body.status).toBe("cancelled");

    expectError(await createOperation(shop, sale(shop.card)), 409, "card_blocked");
    expectError(await api("POST", `/v1/cards/${shop.card}/unblock`, { token: shop.secret }), 409, "card_replaced");
    const repeat = await api("POST", `/v1/cards/${shop.card}/replace`, { token: shop.secret, body: { new_number: newCard } });
    expect(repeat.status).toBe(200);
    expectError(await api("POST", `/v1/cards/${shop.card}/replace`, { token: shop.secret, body: { new_number: uniqueCard() } }), 409, "card_replaced");

    const onNew = await createOperation(shop, sale(newCard));
    expect(onNew.status).toBe(201);
    expect(onNew.body.member_id).toBe(shop.memberId);
    const member = await api("GET", `/v1/members/${shop.memberId}`, { token: shop.secret });
    expect(member.body.balances.credit).toEqual({ balance: 5000, available: 4000 });
    expect(member.body.cards.map((c: { number: string; status: string }) => [c.number, c.status])).toEqual([
      [shop.card, "replaced"],
      [newCard, "active"],
    ]);
    await expectInvariants(shop);
  });

  it("a new number already in use is refused and nothing changes", async () => {
    const shop = await createShop();
    const other = await createShop();
    await api("POST", `/v1/members/${shop.memberId}/cards`, { token: shop.secret, body: { number: other.card } });
    const taken = uniqueCard();
    const member = await api("POST", "/v1/members", { token: shop.secret, body: { name: "Di", phone: "+61400000004" } });
    await api("POST", `/v1/members/${member.body.id}/cards`, { token: shop.secret, body: { number: taken } });
    expectError(await api("POST", `/v1/cards/${shop.card}/replace`, { token: shop.secret, body: { new_number: taken } }), 409, "card_number_taken");
    expectError(await api("POST", `/v1/cards/${shop.card}/replace`, { token: shop.secret, body: { new_number: other.card } }), 409, "card_number_taken");
    expect((await api("GET", `/v1/cards/${shop.card}`, { token: shop.secret })).body.status).toBe("active");
  });

  it("unknown cards are 404 card_not_found", async () => {
    const shop = await createShop();
    for (const path of ["/block", "/unblock", "/replace"]) {
      const body = path === "/block" ? { reason: "x" } : path === "/replace" ? { new_number: uniqueCard() } : undefined;
      expectError(await api("POST", `/v1/cards/${uniqueCard()}${path}`, { token: shop.secret, body }), 404, "card_not_found");
    }
    expectError(await api("GET", `/v1/cards/not-a-card!`, { token: shop.secret }), 404, "card_not_found");
  });
});
