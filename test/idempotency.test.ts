import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { answerOf } from "../src/lib/outcome";

import { account, api, balances, createOperation, createShop, expectError, expectInvariants, approvalRequest, asMember, idemKey, inAccount, memberCookie, PLATFORM, requireApproval, topUp, uniqueCard, type Shop } from "./helpers";
import { storeOf } from "../src/objects";
import { idempotent, LEASE_MS } from "../src/idempotency";
import { addMember } from "../src/db/members";
import { rotateSecret } from "../src/db/webhook-endpoints";
import { auditInsert } from "../src/db/audit";
import { sha256Hex } from "../src/lib/crypto";

const sale = (card: string, amount = 1000) => ({
  type: "purchase",
  card,
  cheque: { number: "I-1", total: amount },
  payments: [{ method: "credit", amount }],
});

/** Another member of the same tenant, with a card of her own. */
async function secondMember(shop: Shop): Promise<Shop> {
  const member = await api("POST", "/v1/members", { token: shop.secret, body: { name: "Sam", phone: "+61412340000" } });
  expect(member.status).toBe(201);
  const card = uniqueCard();
  expect((await api("POST", `/v1/members/${member.body.id}/cards`, { token: shop.secret, body: { number: card } })).status).toBe(201);
  return { ...shop, memberId: member.body.id, card };
}

/** A shop whose two members each hold 50.00 of credit. */
async function twoFundedMembers(): Promise<{ shop: Shop; other: Shop }> {
  const shop = await createShop();
  const other = await secondMember(shop);
  await topUp(shop, 5000);
  await topUp(other, 5000);
  return { shop, other };
}

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

  it("the same key for another member's card is 422 as well, and that account holds nothing", async () => {
    const { shop, other } = await twoFundedMembers();
    const key = idemKey();
    const first = await createOperation(shop, sale(shop.card), key);
    expect(first.status).toBe(201);
    expectError(await createOperation(shop, sale(other.card), key), 422, "idempotency_key_reused");
    expect((await balances(other)).credit).toEqual({ balance: 5000, available: 5000 });
    // Its only operation is the top-up.
    expect(await inAccount(other, (_, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM operations").one().n)).toBe(1);
    // The first card's retry is still answered as before.
    const repeat = await createOperation(shop, sale(shop.card), key);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 4000 });
    await expectInvariants(other, other.memberId);
  });

  it("concurrent uses of one key for two members' cards: one operation, one 422", async () => {
    const { shop, other } = await twoFundedMembers();
    const key = idemKey();
    const replies = await Promise.all([createOperation(shop, sale(shop.card), key), createOperation(shop, sale(other.card), key)]);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 422]);
    const available = [(await balances(shop)).credit.available, (await balances(other)).credit.available].sort();
    expect(available).toEqual([4000, 5000]);
  });

  it("a key whose first use was refused stays taken for other cards", async () => {
    const shop = await createShop();
    const other = await secondMember(shop);
    await topUp(other, 5000);
    const key = idemKey();
    expectError(await createOperation(shop, sale(shop.card), key), 409, "insufficient_funds");
    expectError(await createOperation(shop, sale(other.card), key), 422, "idempotency_key_reused");
    expect((await balances(other)).credit).toEqual({ balance: 5000, available: 5000 });
  });

  it("with a register limit the claim and the count are one call: a reused key counts nothing", async () => {
    const { shop, other } = await twoFundedMembers();
    const limit = await api("POST", "/v1/limits", { token: shop.secret, body: { scope: "register", metric: "purchase_count", period: "day", hard: 2 } });
    expect(limit.status).toBe(201);
    const key = idemKey();
    expect((await createOperation(shop, sale(shop.card), key)).status).toBe(201);
    expectError(await createOperation(shop, sale(other.card), key), 422, "idempotency_key_reused");
    expect((await createOperation(shop, sale(other.card))).status).toBe(201);
    expectError(await createOperation(shop, sale(other.card)), 422, "limit_exceeded");
    expect((await balances(other)).credit).toEqual({ balance: 5000, available: 4000 });
  });

  it("the store keeps a key's claim three days at least, then lets it go with its generation", async () => {
    const shop = await createShop();
    const ref = { tenant_id: shop.tenantId, store_id: shop.storeId };
    const store = storeOf(env, ref);
    const day = 24 * 3600 * 1000;
    const t0 = Date.now();
    const claim = (key: string, operation_id: string, at: number) => store.claimKey(ref, { key, operation_id, at });
    expect(await claim("k".repeat(16), "op_a", t0)).toBeNull();
    expect(await claim("k".repeat(16), "op_a", t0 + day)).toBeNull();
    expect(await claim("k".repeat(16), "op_b", t0 + 2 * day)).toMatchObject({ refused: true, code: "idempotency_key_reused" });
    // Another key's claim just inside three days drops nothing of the key's generation.
    expect(await claim("m".repeat(16), "op_c", t0 + 3 * day - 1)).toBeNull();
    expect(await claim("k".repeat(16), "op_b", t0 + 3 * day - 1)).toMatchObject({ refused: true, code: "idempotency_key_reused" });
    // Six days on, a claim is two generations later: the first generation's table goes, and the key is free again.
    expect(await claim("n".repeat(16), "op_d", t0 + 6 * day + 1)).toBeNull();
    expect(await claim("k".repeat(16), "op_b", t0 + 6 * day + 1)).toBeNull();
    const tables = await runInDurableObject(store, (_, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name GLOB 'key_claims_*' ORDER BY name").toArray().map((r) => r.name),
    );
    expect(tables.length).toBeLessThanOrEqual(2);
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

  it("a create's first answer is kept as long as its operation; a refusal three days, then the key runs again", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const stub = account(shop);
    const ref = { tenant_id: shop.tenantId, member_id: shop.memberId };
    const policy = { approval_required_for: [], points_per_currency_unit: 1, point_value: 1, hold_ttl_seconds: 900, minor_digits: 2, sms_confirm_points_deduction: false };
    const id = (n: number) => `op_${shop.memberId.slice(4)}${String(n).padStart(16, "0")}`;
    const create = async (n: number, fingerprint: string, now: number, amount = 100) => {
      const result = await stub.createOperation(ref, {
        id: id(n),
        fingerprint,
        member_id: shop.memberId,
        store_id: shop.storeId,
        register_id: shop.registerId,
        request: { type: "purchase", card: shop.card, cheque: { number: "I-2", total: amount }, payments: [{ method: "credit", amount }] },
        policy,
        now,
      });
      return answerOf(result, 201);
    };
    const start = Date.now();
    const first = await create(1, "first body", start);
    expect(first.status).toBe(201);
    expect((await create(2, "too much", start, 9_999)).status).toBe(409);
    const day = 86_400_000;
    expect((await create(1, "another body", start + 2 * day)).status).toBe(422);
    expect((await create(2, "changed", start + 2 * day, 100)).status).toBe(422);
    // Four days on, the next create drops refusals older than three days (at most hourly, inside a create).
    expect((await create(3, "third", start + 4 * day)).status).toBe(201);
    // The made operation still answers its first answer (pending, as then), and still knows a changed body.
    const again = await create(1, "first body", start + 4 * day);
    expect(again.status).toBe(201);
    expect("json" in again && "json" in first ? JSON.parse(again.json) : null).toEqual("json" in first ? JSON.parse(first.json) : "no text");
    expect((await create(1, "another body", start + 4 * day)).status).toBe(422);
    // The refusal is gone: the key runs again, and this time there is enough.
    const rerun = await create(2, "changed", start + 4 * day, 100);
    expect(rerun.status).toBe(201);
    expect(JSON.parse("json" in rerun ? rerun.json : "{}")).toMatchObject({ id: id(2), status: "pending" });
  });
});

describe("Idempotency-Key on every other POST", () => {
  const keyed = (key: string) => ({ "idempotency-key": key });

  async function smsOutbox(phone = "+61412345678") {
    const reply = await api("GET", `/v1/dev/sms?phone=${encodeURIComponent(phone)}`, { token: PLATFORM });
    expect(reply.status).toBe(200);
    return reply.body.data.length as number;
  }

  it("a till retrying Request for Approval gets its first answer back, also concurrently, and one request exists", async () => {
    const shop = await createShop();
    await api("PATCH", "/v1/settings", { token: shop.secret, body: { approval_required_for: ["credit"] } });
    await topUp(shop, 5000);
    const sale1 = await createOperation(shop, sale(shop.card));
    const key = idemKey();
    const path = `/v1/operations/${sale1.body.id}/approval-requests`;
    const [first, second] = await Promise.all([
      api("POST", path, { token: shop.terminal, body: { resend: false }, headers: keyed(key) }),
      api("POST", path, { token: shop.terminal, body: { resend: false }, headers: keyed(key) }),
    ]);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body);
    const retry = await api("POST", path, { token: shop.terminal, body: { resend: false }, headers: keyed(key) });
    expect(retry.status).toBe(201);
    expect(retry.body.request.id).toBe(first.body.request.id);
    // Without the key the same call is a second request, which finds the first still pending.
    expectError(await api("POST", path, { token: shop.terminal, body: { resend: false } }), 409, "approval_request_pending");
    expectError(await api("POST", path, { token: shop.terminal, body: { resend: true }, headers: keyed(key) }), 422, "idempotency_key_reused");
  });

  it("a retried SMS code sends no second SMS and keeps the code the member holds", async () => {
    const shop = await createShop({ sms: true });
    await topUp(shop, 2000, "points");
    const created = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "S-1", total: 2000 }, payments: [{ method: "points", amount: 700 }] });
    const before = await smsOutbox();
    const key = idemKey();
    const path = `/v1/operations/${created.body.id}/sms-codes`;
    const first = await api("POST", path, { token: shop.terminal, headers: keyed(key) });
    expect(first.status).toBe(201);
    const again = await api("POST", path, { token: shop.terminal, headers: keyed(key) });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect((await smsOutbox()) - before).toBe(1);
    // The code the member got still works: the retry voided nothing.
    const sms = await api("GET", `/v1/dev/sms?phone=${encodeURIComponent("+61412345678")}`, { token: PLATFORM });
    const code = /\b(\d{6})\b/.exec(sms.body.data[0].body)![1];
    const verified = await api("POST", `${path}/verify`, { token: shop.terminal, body: { code } });
    expect(verified.status).toBe(200);
    expect(verified.body.authorization.status).toBe("verified");
  });

  it("keys are kept per credential: another key's same Idempotency-Key is another request", async () => {
    const shop = await createShop();
    const key = idemKey();
    const mine = await api("POST", "/v1/stores", { token: shop.secret, body: { name: "North" }, headers: keyed(key) });
    const secondKey = await api("POST", "/v1/secret-keys", { token: shop.secret });
    const theirs = await api("POST", "/v1/stores", { token: secondKey.body.secret_key, body: { name: "North" }, headers: keyed(key) });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    // Each key still replays its own first answer.
    expect((await api("POST", "/v1/stores", { token: shop.secret, body: { name: "North" }, headers: keyed(key) })).body.id).toBe(mine.body.id);
  });

  it("the platform token's tenants: the same key makes one tenant and shows its secret key again; another body is 422", async () => {
    const key = idemKey();
    const body = { name: "Once Only", currency: "USD", timezone: "UTC" };
    const first = await api("POST", "/v1/tenants", { token: PLATFORM, body, headers: keyed(key) });
    expect(first.status).toBe(201);
    const again = await api("POST", "/v1/tenants", { token: PLATFORM, body, headers: keyed(key) });
    expect(again.status).toBe(201);
    expect(again.body.tenant.id).toBe(first.body.tenant.id);
    expect(again.body.secret_key).toBe(first.body.secret_key);
    expectError(await api("POST", "/v1/tenants", { token: PLATFORM, body: { ...body, name: "Twice" }, headers: keyed(key) }), 422, "idempotency_key_reused");
  });

  it("confirm and cancel replay their first answer for the same key", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const created = await createOperation(shop, sale(shop.card));
    const key = idemKey();
    const confirmPath = `/v1/operations/${created.body.id}/confirm`;
    const confirmed = await api("POST", confirmPath, { token: shop.terminal, headers: keyed(key) });
    expect(confirmed.status).toBe(200);
    expect((await api("POST", confirmPath, { token: shop.terminal, headers: keyed(key) })).body).toEqual(confirmed.body);
    // The same key on another path is another request.
    const cancelled = await api("POST", `/v1/operations/${created.body.id}/cancel`, { token: shop.terminal, headers: keyed(key) });
    expectError(cancelled, 422, "idempotency_key_reused");
    expect((await balances(shop)).credit).toEqual({ balance: 4000, available: 4000 });
    await expectInvariants(shop);
  });
});

describe("an Idempotency-Key whose request died", () => {
  const post = (token: string, path: string, key: string, raw = "") =>
    exports.default.fetch(
      new Request(`https://tillsafe.test${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "idempotency-key": key, ...(raw ? { "content-type": "application/json" } : {}) }, body: raw || undefined }),
    );
  /** The credential id the records of a shop's secret key are kept under. */
  async function credentialOf(shop: Shop): Promise<string> {
    const key = idemKey();
    expect((await post(shop.secret, "/v1/stores", key, JSON.stringify({ name: "Probe" }))).status).toBe(201);
    return (await env.DB.prepare("SELECT credential_id FROM idempotency_records WHERE tenant_id = ? AND key = ?").bind(shop.tenantId, key).first<string>("credential_id"))!;
  }
  /** The claim a request left when its process died: running, its lease lapsed (or, made before leases, none). */
  async function diedHolding(shop: Shop, credential: string, key: string, path: string, raw: string, leaseUntil: string | null) {
    await env.DB.prepare("INSERT INTO idempotency_records (tenant_id, credential_id, key, fingerprint, state, created_at, lease_until) VALUES (?, ?, ?, ?, 'running', ?, ?)")
      .bind(shop.tenantId, credential, key, await sha256Hex(`post ${path}\n${raw}`), new Date(Date.now() - 3 * LEASE_MS).toISOString(), leaseUntil)
      .run();
  }

  it("a lapsed claim is taken over: the member is enrolled once, and every retry answers the same bytes", async () => {
    const shop = await createShop();
    const credential = await credentialOf(shop);
    for (const lease of [new Date(Date.now() - 1000).toISOString(), null]) {
      const key = idemKey();
      const phone = `+614000${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
      const raw = JSON.stringify({ name: "Ann", phone });
      await diedHolding(shop, credential, key, "/v1/members", raw, lease);
      const first = await post(shop.secret, "/v1/members", key, raw);
      expect(first.status).toBe(201);
      const text = await first.text();
      const again = await Promise.all([post(shop.secret, "/v1/members", key, raw), post(shop.secret, "/v1/members", key, raw)]);
      expect(again.map((r) => r.status)).toEqual([201, 201]);
      expect(await Promise.all(again.map((r) => r.text()))).toEqual([text, text]);
      const found = await api("GET", `/v1/members?query=${encodeURIComponent(phone)}`, { token: shop.secret });
      expect(found.body.data.map((m: { id: string }) => m.id)).toEqual([JSON.parse(text).id]);
    }
  });

  it("a card issue that died after the number was taken: the retry finishes it (201, the card in the account), not 409", async () => {
    const shop = await createShop();
    const credential = await credentialOf(shop);
    const key = idemKey();
    const number = uniqueCard();
    const path = `/v1/members/${shop.memberId}/cards`;
    const raw = JSON.stringify({ number });
    await diedHolding(shop, credential, key, path, raw, new Date(Date.now() - 1000).toISOString());
    // What the request that died had done: the number is the member's in D1; the account never heard of it.
    await env.DB.prepare("INSERT INTO cards (tenant_id, number, member_id, status, created_at) VALUES (?, ?, ?, 'active', ?)").bind(shop.tenantId, number, shop.memberId, new Date().toISOString()).run();
    const retried = await post(shop.secret, path, key, raw);
    expect(retried.status).toBe(201);
    expect(await retried.json()).toMatchObject({ number, status: "active" });
    const account = await api("GET", `/v1/members/${shop.memberId}`, { token: shop.secret });
    expect(account.body.cards.map((c: { number: string }) => c.number)).toContain(number);
    // Without a key, the number held already is still refused.
    expectError(await api("POST", path, { token: shop.secret, body: { number } }), 409, "card_number_taken");
  });

  it("a claim still within its lease is not taken: the retry is told it is in progress", async () => {
    const shop = await createShop();
    const credential = await credentialOf(shop);
    const key = idemKey();
    const raw = JSON.stringify({ name: "Held" });
    await diedHolding(shop, credential, key, "/v1/stores", raw, new Date(Date.now() + 60_000).toISOString());
    const reply = await post(shop.secret, "/v1/stores", key, raw);
    expect([reply.status, ((await reply.json()) as { error: { code: string } }).error.code]).toEqual([409, "idempotency_key_in_progress"]);
  });

  it("a keyed confirm keeps its answer in the account, in the confirm's own transaction: D1 keeps nothing, a repeat replays it, the key on another operation is 422", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const [one, two] = [await createOperation(shop, sale(shop.card, 1200)), await createOperation(shop, sale(shop.card, 300))];
    const key = idemKey();
    const first = await post(shop.terminal, `/v1/operations/${one.body.id}/confirm`, key);
    expect(first.status).toBe(200);
    const firstText = await first.text();
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM idempotency_records WHERE tenant_id = ?").bind(shop.tenantId).first<number>("n")).toBe(0);
    const kept = await runInDurableObject(account(shop), (_instance, state) => state.storage.sql.exec<{ confirm_answer: string }>("SELECT confirm_answer FROM operations WHERE id = ?", one.body.id).one().confirm_answer);
    expect(JSON.parse(kept)).toMatchObject({ [key]: { fingerprint: expect.any(String), json: expect.stringContaining(`"status":"confirmed"`) } });
    // A refund afterwards changes the operation (its updated_at): the repeat is still the first answer.
    expect((await createOperation(shop, { type: "refund", original_operation_id: one.body.id, amount: 200 })).status).toBe(201);
    expect(await (await post(shop.terminal, `/v1/operations/${one.body.id}/confirm`, key)).text()).toBe(firstText);
    // The same key for another operation's confirm: refused, and that operation stays pending.
    const reused = await post(shop.terminal, `/v1/operations/${two.body.id}/confirm`, key);
    expect([reused.status, ((await reused.json()) as { error: { code: string } }).error.code]).toEqual([422, "idempotency_key_reused"]);
    expect((await api("GET", `/v1/operations/${two.body.id}`, { token: shop.terminal })).body.status).toBe("pending");
    expect((await balances(shop)).credit).toEqual({ balance: 3800, available: 3500 });
    await expectInvariants(shop);
  });

  it("a keyed confirm refused keeps its refusal: the same key answers it again, even once the refusal no longer holds", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    await requireApproval(shop);
    const held = await createOperation(shop, sale(shop.card, 700));
    const key = idemKey();
    const path = `/v1/operations/${held.body.id}/confirm`;
    const refused = await post(shop.terminal, path, key);
    expect(refused.status).toBe(409);
    const refusedText = await refused.text();
    expect(JSON.parse(refusedText).error.code).toBe("authorization_required");
    const again = await post(shop.terminal, path, key);
    expect([again.status, await again.text()]).toEqual([409, refusedText]);
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 4300 });
    // Approved by the member, confirmed under a new key: that answer is kept under its own key, the refusal under its.
    const request = await approvalRequest(shop, held.body.id);
    expect((await asMember(await memberCookie(shop), "POST", `/v1/me/approval-requests/${request.body.request.id}/approve`)).status).toBe(200);
    const newKey = idemKey();
    const confirmed = await post(shop.terminal, path, newKey);
    expect(confirmed.status).toBe(200);
    const confirmedText = await confirmed.text();
    expect(await (await post(shop.terminal, path, newKey)).text()).toBe(confirmedText);
    expect(await (await post(shop.terminal, path, key)).text()).toBe(refusedText);
    expect((await balances(shop)).credit).toEqual({ balance: 4300, available: 4300 });
  });

  it("a request whose lease was taken over meanwhile cannot commit its change: the batch fails whole", async () => {
    const shop = await createShop();
    const scope = { tenantId: shop.tenantId, credentialId: "sk_lost", key: idemKey(), fingerprint: "f" };
    const member = { id: `mem_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`, tenantId: shop.tenantId, name: "Late", phone: "+61400009999", externalRef: null, createdAt: new Date().toISOString() };
    const late = idempotent(env.DB, "secret", scope, async (keyed) => {
      // Another retry took the key over while this request was still running.
      await env.DB.prepare("UPDATE idempotency_records SET lease_until = 'taken' WHERE tenant_id = ? AND key = ?").bind(scope.tenantId, scope.key).run();
      const answer = { status: 201, body: { id: member.id } };
      await addMember(env.DB, member, auditInsert(env.DB, { kind: "secret", tenantId: shop.tenantId, credentialId: "sk_lost" }, "member.created", member.id), await keyed.answerWith(answer));
      return answer;
    });
    await expect(late).rejects.toThrow(/malformed JSON|lease lost/);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM members WHERE id = ?").bind(member.id).first<number>("n")).toBe(0);
    expect(await env.DB.prepare("SELECT state, lease_until FROM idempotency_records WHERE tenant_id = ? AND key = ?").bind(scope.tenantId, scope.key).first()).toEqual({ state: "running", lease_until: "taken" });
  });

  it("a webhook secret rotated with a key keeps its shown-once secret as the key's answer; a rotation refused keeps its refusal", async () => {
    const shop = await createShop();
    const hook = (await api("POST", "/v1/webhook-endpoints", { token: shop.secret, body: { url: "https://hooks.example/tillsafe", events: ["alert.raised"] } })).body;
    const path = `/v1/webhook-endpoints/${hook.id}/rotate-secret`;
    const key = idemKey();
    const first = await post(shop.secret, path, key);
    expect(first.status).toBe(200);
    const text = await first.text();
    expect(JSON.parse(text).secret).toMatch(/^whsec_/);
    expect(await (await post(shop.secret, path, key)).text()).toBe(text);
    // Another rotation within the previous secret's 24 hours is refused, and that is its key's answer.
    const other = idemKey();
    const refused = await post(shop.secret, path, other);
    expect(refused.status).toBe(409);
    const refusal = await refused.text();
    expect(await (await post(shop.secret, path, other)).text()).toBe(refusal);
  });

  it("a rotation whose lease was taken over meanwhile rotates nothing", async () => {
    const shop = await createShop();
    const hook = (await api("POST", "/v1/webhook-endpoints", { token: shop.secret, body: { url: "https://hooks.example/tillsafe", events: ["alert.raised"] } })).body;
    const scope = { tenantId: shop.tenantId, credentialId: "sk_lost", key: idemKey(), fingerprint: "f" };
    const late = idempotent(env.DB, "secret", scope, async (keyed) => {
      await env.DB.prepare("UPDATE idempotency_records SET lease_until = 'taken' WHERE tenant_id = ? AND key = ?").bind(scope.tenantId, scope.key).run();
      const now = Date.now();
      const answer = { status: 200, body: { id: hook.id } };
      await rotateSecret(env.DB, shop.tenantId, hook.id, "sealed", now + 1000, now, env.DB.prepare("SELECT 1"), await keyed.answerIfChanged(answer));
      return answer;
    });
    await expect(late).rejects.toThrow(/malformed JSON|lease lost/);
    const row = await env.DB.prepare("SELECT previous_valid_until FROM webhook_endpoints WHERE id = ?").bind(hook.id).first<{ previous_valid_until: number | null }>();
    expect(row?.previous_valid_until).toBeNull();
  });

  it("a replayed confirm is its first answer byte for byte (livemode where it first stood)", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const created = await createOperation(shop, sale(shop.card));
    const key = idemKey();
    const path = `/v1/operations/${created.body.id}/confirm`;
    const first = await (await post(shop.terminal, path, key)).text();
    expect(first.startsWith('{"livemode":true,"id":"op_')).toBe(true);
    expect(await (await post(shop.terminal, path, key)).text()).toBe(first);
  });
});
