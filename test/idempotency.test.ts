import { describe, expect, it } from "vitest";
import { api, balances, createOperation, createShop, expectError, expectInvariants, idemKey, topUp } from "./helpers";

const sale = (card: string, amount = 1000) => ({
  type: "purchase",
  card,
  cheque: { number: "I-1", total: amount },
  payments: [{ method: "credit", amount }],
});

describe("Idempotency-Key on POST /v1/operations", () => {
  it("is required", async () => {
    const shop = await createShop();
    const reply = await api("POST", "/v1/operations", { token: shop.terminal, body: sale(shop.card) });
    expectError(reply, 400, "idempotency_key_required");
    expectError(
      await api("POST", "/v1/operations", { token: shop.terminal, body: sale(shop.card), headers: { "idempotency-key": "x".repeat(256) } }),
      400,
      "invalid_request",
    );
  });

  it("a repeat returns the first response and does nothing again, even after the operation moved on", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const key = idemKey();
    const first = await createOperation(shop, sale(shop.card), key);
    expect(first.status).toBe(201);
    await api("POST", `/v1/operations/${first.body.id}/confirm`, { token: shop.terminal });
    const repeat = await createOperation(shop, sale(shop.card), key);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect((await balances(shop)).credit).toEqual({ balance: 4000, available: 4000 });
    await expectInvariants(shop);
  });

  it("a refusal is repeated too: the same key keeps its first answer", async () => {
    const shop = await createShop();
    const key = idemKey();
    const first = await createOperation(shop, sale(shop.card), key);
    expectError(first, 409, "insufficient_funds");
    await topUp(shop, 5000);
    const repeat = await createOperation(shop, sale(shop.card), key);
    expect(repeat.status).toBe(409);
    expect(repeat.body).toEqual(first.body);
    const fresh = await createOperation(shop, sale(shop.card));
    expect(fresh.status).toBe(201);
  });

  it("the same key with a different body is 422 idempotency_key_reused", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const key = idemKey();
    await createOperation(shop, sale(shop.card, 1000), key);
    expectError(await createOperation(shop, sale(shop.card, 1200), key), 422, "idempotency_key_reused");
    expect((await balances(shop)).credit.available).toBe(4000);
  });

  it("keys are per register: another till may use the same key", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const other = await api("POST", `/v1/stores/${shop.storeId}/registers`, { token: shop.secret, body: { name: "Till 2" } });
    const key = idemKey();
    const a = await createOperation(shop, sale(shop.card), key);
    const b = await createOperation(shop, sale(shop.card), key, other.body.terminal_key);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    expect((await balances(shop)).credit.available).toBe(3000);
  });
});

describe("Idempotency-Key on back-office POSTs", () => {
  it("a repeat returns the first response, also the shown-once terminal key, and creates nothing more", async () => {
    const shop = await createShop();
    const key = idemKey();
    const post = () =>
      api("POST", `/v1/stores/${shop.storeId}/registers`, { token: shop.secret, body: { name: "Till 9" }, headers: { "idempotency-key": key } });
    const first = await post();
    const second = await post();
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    const list = await api("GET", `/v1/stores/${shop.storeId}/registers`, { token: shop.secret });
    expect(list.body.data.filter((r: { name: string }) => r.name === "Till 9")).toHaveLength(1);
  });

  it("concurrent repeats create one member; a different body is 422", async () => {
    const shop = await createShop();
    const key = idemKey();
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        api("POST", "/v1/members", { token: shop.secret, body: { name: "Ann", phone: "+61400000001" }, headers: { "idempotency-key": key } }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expectError(
      await api("POST", "/v1/members", { token: shop.secret, body: { name: "Bob", phone: "+61400000001" }, headers: { "idempotency-key": key } }),
      422,
      "idempotency_key_reused",
    );
  });

  it("an error answer is kept as well", async () => {
    const shop = await createShop();
    const key = idemKey();
    const post = () =>
      api("POST", `/v1/members/${shop.memberId}/cards`, { token: shop.secret, body: { number: shop.card }, headers: { "idempotency-key": key } });
    expectError(await post(), 409, "card_number_taken");
    expectError(await post(), 409, "card_number_taken");
  });
});
