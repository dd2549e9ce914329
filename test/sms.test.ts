/** SMS codes: confirming points deductions, signing members in, the dev outbox and the HTTP provider. */
import { runInDurableObject } from "cloudflare:test";
import { answerOf } from "../src/lib/outcome";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildApp } from "../src/app";
import { codeHash, decideIssue, decideVerify, generateCode, maskPhone, newCode, CODE_TTL_MS } from "../src/auth/one-time-code";
import { SmsProviderError } from "../src/sms/sms-sender";
import { TwilioSender } from "../src/sms/twilio";
import {
  account,
  api,
  approvalRequest,
  asMember,
  createOperation,
  createShop,
  expectError,
  expectInvariants,
  memberCookie,
  ORIGIN,
  PLATFORM,
  requireApproval,
  topUp,
  type Shop,
} from "./helpers";

const SECRET = "test-server-secret-0123456789abcdef";

afterEach(() => vi.restoreAllMocks());

async function outbox(phone = "+61412345678") {
  const reply = await api("GET", `/v1/dev/sms?phone=${encodeURIComponent(phone)}`, { token: PLATFORM });
  expect(reply.status).toBe(200);
  return reply.body.data as { to: string; body: string; created_at: string }[];
}

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)![1];

async function pointsSale(shop: Shop, points = 700) {
  const created = await createOperation(shop, {
    type: "purchase",
    card: shop.card,
    cheque: { number: "S-1", total: 2000 },
    payments: [{ method: "points", amount: points }],
  });
  expect(created.status).toBe(201);
  return created.body;
}

describe("code rules", () => {
  it("codes are 6 digits with no modulo bias: draws past the last whole block of 10^6 are thrown away", () => {
    const limit = Math.floor(2 ** 32 / 1e6) * 1e6;
    const draws = [2 ** 32 - 1, limit, limit - 1];
    expect(generateCode(() => draws.shift()!)).toBe(String((limit - 1) % 1e6).padStart(6, "0"));
    expect(draws).toEqual([]);
    expect(generateCode(() => 123)).toBe("000123");
    for (let i = 0; i < 50; i++) expect(generateCode()).toMatch(/^\d{6}$/);
  });

  it("masks the phone", () => {
    expect(maskPhone("+61412345678")).toBe("+61••••••678");
    expect(maskPhone("+4915123456789")).toBe("+49••••••••789");
  });

  it("limits sends per purpose and per member hour", () => {
    const t = 1_000_000_000;
    expect(decideIssue([], null, t)).toBeNull();
    expect(decideIssue([t], t, t + 5_000)).toMatchObject({ refused: true, code: "rate_limited", details: { retry_after: 15 } });
    expect(decideIssue([t], t, t + 20_000)).toBeNull();
    const ten = Array.from({ length: 10 }, (_, i) => t + i * 60_000);
    expect(decideIssue(ten, null, t + 10 * 60_000)).toMatchObject({ refused: true, details: { retry_after: 3000 } });
    expect(decideIssue(ten, null, t + 3600_000)).toBeNull();
  });

  it("attempts, expiry and single use", () => {
    const t = 5_000;
    const state = newCode("op_x", "h", t);
    expect(state.expires_at - t).toBe(CODE_TTL_MS);
    let current = state;
    for (const left of [4, 3, 2, 1]) {
      const wrong = decideVerify(current, false, t + 1);
      expect(wrong).toMatchObject({ kind: "wrong", refusal: { refused: true, code: "invalid_code", details: { attempts_left: left } } });
      current = (wrong as { state: typeof state }).state;
    }
    const last = decideVerify(current, false, t + 1);
    expect(last).toMatchObject({ kind: "wrong", refusal: { refused: true, code: "code_attempts_exhausted" } });
    expect(decideVerify((last as { state: typeof state }).state, true, t + 1)).toMatchObject({ refusal: { code: "code_attempts_exhausted" } });
    expect(decideVerify(state, true, t + CODE_TTL_MS)).toMatchObject({ refusal: { refused: true, code: "code_expired" } });
    expect(decideVerify(state, true, t + CODE_TTL_MS - 1)).toEqual({ kind: "verified" });
    expect(decideVerify(null, true, t)).toMatchObject({ refusal: { code: "code_not_sent" } });
  });
});

describe("confirming a points deduction at an SMS store", () => {
  it("needs a verified code before confirm; the SMS names the merchant and the amount; the code is used once", async () => {
    const shop = await createShop({ sms: true });
    await topUp(shop, 1000, "points");
    const op = await pointsSale(shop);
    expect(op.authorization).toEqual({ method: "sms_code", status: "required" });
    expectError(await api("POST", `/v1/operations/${op.id}/confirm`, { token: shop.terminal }), 409, "authorization_required");

    const sent = await api("POST", `/v1/operations/${op.id}/sms-codes`, { token: shop.terminal });
    expect(sent.status).toBe(201);
    expect(sent.body.sent_to).toBe("+61••••••678");
    expect(Date.parse(sent.body.expires_at) - Date.now()).toBeGreaterThan(4 * 60_000);
    const [sms] = await outbox();
    expect(sms.body).toMatch(/^Cafe Aroma: \d{6} is your code to pay 700 points \(\$7\.00\) at Main St\. It expires in 5 minutes/);
    const code = codeIn(sms.body);
    expect(JSON.stringify(sent.body)).not.toContain(code);
    expect((await api("GET", `/v1/operations/${op.id}`, { token: shop.terminal })).body.authorization).toEqual({ method: "sms_code", status: "pending" });

    const wrong = await api("POST", `/v1/operations/${op.id}/sms-codes/verify`, { token: shop.terminal, body: { code: code === "000000" ? "000001" : "000000" } });
    expectError(wrong, 422, "invalid_code");
    expect(wrong.body.error.details).toEqual({ attempts_left: 4 });
    expectError(await api("POST", `/v1/operations/${op.id}/sms-codes/verify`, { token: shop.terminal, body: { code: "12345" } }), 400, "invalid_request");

    const verified = await api("POST", `/v1/operations/${op.id}/sms-codes/verify`, { token: shop.terminal, body: { code } });
    expect(verified.status).toBe(200);
    expect(verified.body.authorization).toEqual({ method: "sms_code", status: "verified" });
    expectError(await api("POST", `/v1/operations/${op.id}/sms-codes/verify`, { token: shop.terminal, body: { code } }), 409, "already_verified");
    expectError(await api("POST", `/v1/operations/${op.id}/sms-codes`, { token: shop.terminal }), 409, "already_verified");
    expect((await api("POST", `/v1/operations/${op.id}/confirm`, { token: shop.terminal })).body.status).toBe("confirmed");
    await expectInvariants(shop);
  });

  it("sends are rate limited per operation with Retry-After; other methods and other stores need no code", async () => {
    const shop = await createShop({ sms: true });
    await topUp(shop, 1000, "points");
    await topUp(shop, 1000);
    const op = await pointsSale(shop);
    expect((await api("POST", `/v1/operations/${op.id}/sms-codes`, { token: shop.terminal })).status).toBe(201);
    const again = await api("POST", `/v1/operations/${op.id}/sms-codes`, { token: shop.terminal });
    expectError(again, 429, "rate_limited");
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);

    const credit = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "S-2", total: 500 }, payments: [{ method: "credit", amount: 500 }] });
    expect(credit.body.authorization).toEqual({ method: "none", status: "not_required" });
    expectError(await api("POST", `/v1/operations/${credit.body.id}/sms-codes`, { token: shop.terminal }), 409, "sms_code_not_required");
    const plain = await createShop();
    await topUp(plain, 500, "points");
    expect((await pointsSale(plain, 100)).authorization).toEqual({ method: "none", status: "not_required" });
  });

  it("with a controllable clock: a new code voids the last, codes expire after 5 minutes, 5 wrong attempts exhaust one", async () => {
    const shop = await createShop({ sms: true });
    await topUp(shop, 1000, "points");
    const op = await pointsSale(shop);
    const stub = account(shop);
    const hash = (code: string) => codeHash(SECRET, op.id, code);
    const t0 = Date.now();

    expect((answerOf(await stub.issueOperationCode(op.id, {}, await hash("111111"), t0), 201)).status).toBe(201);
    expect((answerOf(await stub.issueOperationCode(op.id, {}, await hash("222222"), t0 + 21_000), 201)).status).toBe(201);
    const voided = answerOf(await stub.verifyOperationCode(op.id, {}, await hash("111111"), t0 + 22_000), 200);
    expect(voided).toMatchObject({ status: 422, body: { error: { code: "invalid_code", details: { attempts_left: 4 } } } });
    const expired = answerOf(await stub.verifyOperationCode(op.id, {}, await hash("222222"), t0 + 21_000 + 5 * 60_000), 200);
    expect(expired).toMatchObject({ status: 409, body: { error: { code: "code_expired" } } });

    expect((answerOf(await stub.issueOperationCode(op.id, {}, await hash("333333"), t0 + 60_000), 201)).status).toBe(201);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((answerOf(await stub.verifyOperationCode(op.id, {}, await hash("999999"), t0 + 61_000), 200) as { body: object }).body);
    expect(answers.map((a: any) => a.error.code)).toEqual(["invalid_code", "invalid_code", "invalid_code", "invalid_code", "code_attempts_exhausted"]);
    expect((answerOf(await stub.verifyOperationCode(op.id, {}, await hash("333333"), t0 + 62_000), 200) as { body: object }).body).toMatchObject({ error: { code: "code_attempts_exhausted" } });
    expect((answerOf(await stub.issueOperationCode(op.id, {}, await hash("444444"), t0 + 90_000), 201)).status).toBe(201);
    expect((answerOf(await stub.verifyOperationCode(op.id, {}, await hash("444444"), t0 + 91_000), 200)).status).toBe(200);
  });

  it("a member gets at most 10 codes an hour", async () => {
    const shop = await createShop({ sms: true });
    await topUp(shop, 1000, "points");
    const op = await pointsSale(shop);
    const stub = account(shop);
    const t0 = Date.now();
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((answerOf(await stub.issueOperationCode(op.id, {}, "h", t0 + i * 21_000), 201)).status);
    expect(statuses).toEqual([...Array(10).fill(201), 429]);
  });

  it("only hashes are stored, and no code reaches a log line or a response", async () => {
    const shop = await createShop({ sms: true });
    await topUp(shop, 1000, "points");
    const op = await pointsSale(shop);
    const logged: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    }
    const sent = await api("POST", `/v1/operations/${op.id}/sms-codes`, { token: shop.terminal });
    const code = codeIn((await outbox())[0].body);
    const verified = await api("POST", `/v1/operations/${op.id}/sms-codes/verify`, { token: shop.terminal, body: { code } });
    const read = await api("GET", `/v1/operations/${op.id}`, { token: shop.terminal });
    for (const reply of [sent, verified, read]) expect(JSON.stringify(reply.body)).not.toContain(code);
    expect(logged.join("\n")).not.toContain(code);
    const stored = await runInDurableObject(account(shop), (_i, state) => JSON.stringify(state.storage.sql.exec("SELECT * FROM sms_codes").toArray()));
    expect(stored).not.toContain(code);
  });
});

describe("approval and SMS code together", () => {
  it("both are needed, in either order, before confirm", async () => {
    const shop = await createShop({ sms: true });
    await topUp(shop, 1000, "points");
    await requireApproval(shop, ["points"]);
    const op = await pointsSale(shop);
    expect(op.authorization).toEqual({ method: "approval", status: "required", steps: { approval: "required", sms_code: "required" } });
    await api("POST", `/v1/operations/${op.id}/sms-codes`, { token: shop.terminal });
    const code = codeIn((await outbox())[0].body);
    const verified = await api("POST", `/v1/operations/${op.id}/sms-codes/verify`, { token: shop.terminal, body: { code } });
    expect(verified.body.authorization).toEqual({ method: "approval", status: "required", steps: { approval: "required", sms_code: "verified" } });
    expectError(await api("POST", `/v1/operations/${op.id}/confirm`, { token: shop.terminal }), 409, "authorization_required");
    const request = await approvalRequest(shop, op.id);
    expect(request.body.request).toMatchObject({ amount: 700, methods: ["points"] });
    const cookie = await memberCookie(shop);
    await asMember(cookie, "POST", `/v1/me/approval-requests/${request.body.request.id}/approve`);
    const read = await api("GET", `/v1/operations/${op.id}`, { token: shop.terminal });
    expect(read.body.authorization).toEqual({ method: "sms_code", status: "verified", steps: { approval: "approved", sms_code: "verified" } });
    expect((await api("POST", `/v1/operations/${op.id}/confirm`, { token: shop.terminal })).body.status).toBe("confirmed");
  });
});

describe("member sign-in by code", () => {
  it("answers 202 alike for known and unknown phones; the code signs in once", async () => {
    const shop = await createShop();
    const known = await api("POST", "/v1/member-login/codes", { body: { tenant_id: shop.tenantId, phone: "+61412345678" } });
    const unknown = await api("POST", "/v1/member-login/codes", { body: { tenant_id: shop.tenantId, phone: "+61499999999" } });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(unknown.body).toEqual(known.body);
    let messages: { body: string }[] = [];
    for (let i = 0; i < 40 && messages.length === 0; i++) {
      messages = (await outbox()).filter((m) => m.body.includes("sign-in code"));
      if (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(messages[0].body).toMatch(/^Cafe Aroma: \d{6} is your sign-in code\./);
    expect(await outbox("+61499999999")).toEqual([]);
    const code = codeIn(messages[0].body);

    // The unknown phone was "sent" a code too, one no SMS carries: a wrong code, like the known phone's below.
    const guessed = await api("POST", "/v1/member-login/verify", { body: { tenant_id: shop.tenantId, phone: "+61499999999", code } });
    expectError(guessed, 422, "invalid_code");
    expect(guessed.body.error.details).toEqual({ attempts_left: 4 });
    const wrong = await api("POST", "/v1/member-login/verify", { body: { tenant_id: shop.tenantId, phone: "+61412345678", code: code === "000000" ? "000001" : "000000" } });
    expectError(wrong, 422, "invalid_code");
    expectError(
      await api("POST", "/v1/member-login/verify", { body: { tenant_id: shop.tenantId, phone: "+61412345678", code }, headers: { origin: "https://evil.example" } }),
      403,
      "forbidden",
    );
    const signedIn = await api("POST", "/v1/member-login/verify", { body: { tenant_id: shop.tenantId, phone: "+61412345678", code } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.member.id).toBe(shop.memberId);
    const cookie = signedIn.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^tillsafe_session=ms_[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect((await asMember(cookie.split(";")[0], "GET", "/v1/me")).body.member.id).toBe(shop.memberId);
    expectError(await api("POST", "/v1/member-login/verify", { body: { tenant_id: shop.tenantId, phone: "+61412345678", code } }), 409, "code_not_sent");
  });
});

describe("SMS providers", () => {
  it("the HTTP provider posts a form with Basic auth, and maps refusals to SmsProviderError", async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    let answer = new Response(JSON.stringify({ sid: "SM1" }), { status: 201 });
    const sender = new TwilioSender({ accountSid: "AC123", authToken: "tok", from: "+15550001111", baseUrl: "https://sms.example/" }, async (url, init) => {
      seen.push({ url: String(url), init: init! });
      return answer;
    });
    await sender.send("+61412345678", "Cafe Aroma: 123456 is your code");
    expect(seen[0].url).toBe("https://sms.example/2010-04-01/Accounts/AC123/Messages.json");
    expect(seen[0].init.method).toBe("POST");
    expect((seen[0].init.headers as Record<string, string>).authorization).toBe(`Basic ${btoa("AC123:tok")}`);
    expect(Object.fromEntries(new URLSearchParams(seen[0].init.body as string))).toEqual({ To: "+61412345678", From: "+15550001111", Body: "Cafe Aroma: 123456 is your code" });

    answer = new Response(JSON.stringify({ code: 21211, message: "Invalid 'To' Phone Number" }), { status: 400 });
    const refused = await sender.send("+61412345678", "x").catch((error) => error);
    expect(refused).toBeInstanceOf(SmsProviderError);
    expect(refused.providerStatus).toBe(400);
    expect(refused.message).toContain("Invalid 'To' Phone Number");
    const unconfigured = await new TwilioSender({ accountSid: "", authToken: "", from: "", baseUrl: "https://sms.example" }).send("+61412345678", "x").catch((e) => e);
    expect(unconfigured).toBeInstanceOf(SmsProviderError);
  });

  it("configured for the HTTP provider, a failing provider is 502 sms_provider_error and loses nothing", async () => {
    const shop = await createShop({ sms: true });
    await topUp(shop, 1000, "points");
    const op = await pointsSale(shop);
    const app = buildApp();
    const twilioEnv = { ...env, SMS_PROVIDER: "twilio", SMS_API_BASE: "https://fake-sms.test", TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t", TWILIO_FROM: "+15550001111" };
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const bodies: string[] = [];
    let providerStatus = 503;
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.startsWith("https://fake-sms.test/")) return realFetch(input, init);
      bodies.push(String(init?.body));
      return new Response(JSON.stringify({ message: "down" }), { status: providerStatus });
    });
    const send = () =>
      app.fetch(new Request(`${ORIGIN}/v1/operations/${op.id}/sms-codes`, { method: "POST", headers: { authorization: `Bearer ${shop.terminal}` } }), twilioEnv, ctx);

    const failed = await send();
    expect(failed.status).toBe(502);
    expect((await failed.json<any>()).error).toMatchObject({ code: "sms_provider_error", details: { provider_status: 503 } });
    const after = await api("GET", `/v1/operations/${op.id}`, { token: shop.terminal });
    expect(after.body).toMatchObject({ status: "pending", authorization: { method: "sms_code", status: "required" } });

    providerStatus = 201;
    const sent = await send();
    expect(sent.status).toBe(201); // the failed send did not count against the resend limit
    expect(bodies).toHaveLength(2);
    expect(new URLSearchParams(bodies[1]).get("Body")).toMatch(/^Cafe Aroma: \d{6} is your code/);
  });

  it("the dev outbox needs the platform token and does not exist outside development", async () => {
    expectError(await api("GET", "/v1/dev/sms"), 401, "unauthenticated");
    const reply = await buildApp().fetch(
      new Request(`${ORIGIN}/v1/dev/sms`, { headers: { authorization: `Bearer ${PLATFORM}` } }),
      { ...env, ENVIRONMENT: "production" },
      { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext,
    );
    expect(reply.status).toBe(404);
  });
});
