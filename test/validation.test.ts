/** Bad input gets a clear 4xx in the one error shape, and nothing changes; no input yields a 5xx. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { api, balances, createOperation, createShop, expectError, idemKey, PLATFORM, topUp } from "./helpers";

describe("amounts", () => {
  it("floats, strings, negatives, zero and values above 2^53−1 are 400 invalid_request", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    for (const amount of [10.5, "100", -1, 0, 2 ** 53, 1e300, null, true]) {
      const reply = await createOperation(shop, { type: "top_up", card: shop.card, method: "credit", amount });
      expectError(reply, 400, "invalid_request");
      const purchase = await createOperation(shop, {
        type: "purchase",
        card: shop.card,
        cheque: { number: "V-1", total: 1000 },
        payments: [{ method: "credit", amount }],
      });
      expectError(purchase, 400, "invalid_request");
    }
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 5000 });
  });

  it("2^53−1 itself is a valid amount", async () => {
    const shop = await createShop();
    const reply = await createOperation(shop, { type: "top_up", card: shop.card, method: "credit", amount: Number.MAX_SAFE_INTEGER });
    expect(reply.status).toBe(201);
  });
});

describe("bodies", () => {
  it("unknown fields are rejected, never stored", async () => {
    const shop = await createShop();
    const reply = await api("POST", "/v1/stores", { token: shop.secret, body: { name: "X", colour: "red" } });
    expectError(reply, 400, "invalid_request");
    expect(reply.body.error.details.issues[0].message).toMatch(/colour/);
    expectError(await createOperation(shop, { type: "top_up", card: shop.card, method: "credit", amount: 1, tip: 1 }), 400, "invalid_request");
    expectError(await api("PATCH", "/v1/settings", { token: shop.secret, body: { hold_ttl_seconds: 60, extra: 1 } }), 400, "invalid_request");
  });

  it("malformed JSON, a missing body and a body where none is taken are 400", async () => {
    const shop = await createShop();
    expectError(await api("POST", "/v1/stores", { token: shop.secret, raw: "{not json" }), 400, "invalid_request");
    expectError(await api("POST", "/v1/stores", { token: shop.secret }), 400, "invalid_request");
    expectError(await api("POST", `/v1/cards/${shop.card}/unblock`, { token: shop.secret, body: { please: true } }), 400, "invalid_request");
  });

  it("bodies over 64 KB get 413", async () => {
    const shop = await createShop();
    const reply = await api("POST", "/v1/stores", { token: shop.secret, raw: JSON.stringify({ name: "x".repeat(70_000) }) });
    expectError(reply, 413, "payload_too_large");
  });

  it("settings, tenants and members validate their fields", async () => {
    const shop = await createShop();
    for (const body of [{ hold_ttl_seconds: 0 }, { hold_ttl_seconds: 86_401 }, { approval_required_for: ["cash"] }, { point_value: 0.5 }, { sms_per_hour: -1 }, { sms_per_hour: 1.5 }, { history_retention_days: 29 }, { history_retention_days: 401 }]) {
      expectError(await api("PATCH", "/v1/settings", { token: shop.secret, body }), 400, "invalid_request");
    }
    expect((await api("GET", "/v1/settings", { token: shop.secret })).body).toEqual({
      approval_required_for: [],
      points_per_currency_unit: 1,
      point_value: 1,
      hold_ttl_seconds: 900,
      history_retention_days: 90,
      sms_per_hour: 500,
      sms_signin_per_hour: 200,
      refund_when_points_spent: "reduce",
      allowed_origins: [],
    });
    for (const body of [{ name: "A", currency: "XXY" }, { name: "A", currency: "USD", timezone: "Mars/Base" }, { name: "", currency: "USD" }]) {
      expectError(await api("POST", "/v1/tenants", { token: PLATFORM, body }), 400, "invalid_request");
    }
    expectError(await api("POST", "/v1/members", { token: shop.secret, body: { name: "A", phone: "0412 345 678" } }), 400, "invalid_request");
  });

  it("list parameters are checked", async () => {
    const shop = await createShop();
    for (const query of ["limit=0", "limit=101", "limit=abc", "cursor=%%%", "cursor=bm90LWpzb24"]) {
      expectError(await api("GET", `/v1/stores?${query}`, { token: shop.secret }), 400, "invalid_request");
    }
  });
});

describe("credentials", () => {
  it("401 without or with wrong credentials, 403 with the wrong kind", async () => {
    const shop = await createShop();
    expectError(await api("GET", "/v1/settings"), 401, "unauthenticated");
    expectError(await api("GET", "/v1/settings", { token: "sk_nope" }), 401, "unauthenticated");
    expectError(await api("GET", "/v1/settings", { token: `${shop.secret.slice(0, -2)}${shop.secret.endsWith("AA") ? "BB" : "AA"}` }), 401, "unauthenticated");
    expectError(await api("GET", "/v1/settings", { token: shop.terminal }), 403, "forbidden");
    expectError(await api("GET", "/v1/settings", { token: PLATFORM }), 403, "forbidden");
    expectError(await api("POST", "/v1/tenants", { token: shop.secret, body: { name: "A", currency: "USD" } }), 403, "forbidden");
    expectError(
      await api("POST", "/v1/operations", { token: shop.secret, body: { type: "top_up", card: shop.card, method: "credit", amount: 1 }, headers: { "idempotency-key": idemKey() } }),
      403,
      "forbidden",
    );
  });

  it("unknown routes are 404 in the error shape", async () => {
    expectError(await api("GET", "/v2/nothing"), 404, "not_found");
  });
});

describe("fuzzing POST /v1/operations", () => {
  it("random JSON bodies never give a 5xx, always the error shape, and move no balance", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const field = fc.oneof(
      fc.constant(shop.card),
      fc.constantFrom("purchase", "refund", "top_up", "manual_accrual", "manual_deduction", "credit", "points", "cashback"),
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          type: fc.constantFrom("purchase", "refund", "top_up", "manual_accrual", "manual_deduction", "other"),
          card: field,
          method: field,
          amount: field,
          reason: field,
          cheque: fc.oneof(field, fc.record({ number: field, total: field }, { requiredKeys: [] })),
          payments: fc.oneof(field, fc.array(fc.record({ method: field, amount: field }, { requiredKeys: [] }), { maxLength: 4 })),
          original_operation_id: field,
        },
        { requiredKeys: ["type"] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const reply = await createOperation(shop, value);
        expect(reply.status).toBeLessThan(500);
        if (reply.status >= 400) {
          expect(typeof reply.body.error.code).toBe("string");
          expect(typeof reply.body.error.message).toBe("string");
        } else if (reply.body.status === "pending") {
          await api("POST", `/v1/operations/${reply.body.id}/cancel`, { token: shop.terminal });
        }
      }),
      { numRuns: 150 },
    );
    const credit = (await balances(shop)).credit;
    expect(credit.available).toBe(credit.balance);
  });
});
