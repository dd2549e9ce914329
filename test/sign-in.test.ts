/** Signing in tells nobody whether a phone is enrolled, and SMS cost is budgeted per address and per tenant. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

import { api, createOperation, drainObjectOutbox, createShop, expectError, PLATFORM, topUp, type Reply, type Shop } from "./helpers";
import { tenantObjectOf } from "../src/objects";

let addresses = 0;
/** A client address of its own for each test, so the per-address budget of one test leaves the others alone. */
const newAddress = () => `198.51.100.${++addresses}`;

const askCode = (shop: Shop, phone: string, address: string) =>
  api("POST", "/v1/member-login/codes", { body: { tenant_id: shop.tenantId, phone }, headers: { "cf-connecting-ip": address } });
const verify = (shop: Shop, phone: string, code: string) => api("POST", "/v1/member-login/verify", { body: { tenant_id: shop.tenantId, phone, code } });

/**
 * Asks until the first 429 (at most 11 times): the five a minute, and up to five more when the asks cross the end of
 * a fixed minute window. The statuses, the 429 last.
 */
async function untilRefused(ask: (n: number) => Promise<Reply>): Promise<number[]> {
  const statuses: number[] = [];
  while (statuses.length < 11 && !statuses.includes(429)) statuses.push((await ask(statuses.length)).status);
  expect(statuses.at(-1)).toBe(429);
  expect(statuses.length - 1).toBeGreaterThanOrEqual(5);
  expect(statuses.length - 1).toBeLessThanOrEqual(10);
  return statuses;
}

/** What a caller sees of an answer: status, code and details. */
const seen = (reply: Reply) => ({ status: reply.status, code: reply.body?.error?.code, details: reply.body?.error?.details });

async function smsTo(phone: string): Promise<{ body: string }[]> {
  const reply = await api("GET", `/v1/dev/sms?phone=${encodeURIComponent(phone)}`, { token: PLATFORM });
  return reply.body.data;
}

/** Waits for the sign-in SMS that is sent after the 202. */
async function signInSms(phone: string, count: number): Promise<{ body: string }[]> {
  for (let i = 0; i < 60; i++) {
    const messages = (await smsTo(phone)).filter((m) => m.body.includes("sign-in code"));
    if (messages.length >= count) return messages;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("no sign-in SMS arrived");
}

describe("sign-in answers alike for known and unknown phones", () => {
  it("six wrong codes: the same 422s counting down, then the same 409s, for a member's phone and a stranger's", async () => {
    const shop = await createShop();
    const phones = { known: "+61412345678", unknown: "+61400000123" };
    const answers: Record<string, object[]> = { known: [], unknown: [] };
    for (const phone of Object.values(phones)) {
      expect(seen(await verify(shop, phone, "123456"))).toEqual({ status: 409, code: "code_not_sent", details: {} });
      expect((await askCode(shop, phone, newAddress())).status).toBe(202);
    }
    const sent = await signInSms(phones.known, 1);
    const right = /\b(\d{6})\b/.exec(sent[0].body)![1];
    const wrong = right === "999999" ? "999998" : "999999";
    for (const [which, phone] of Object.entries(phones)) {
      for (let i = 0; i < 6; i++) answers[which].push(seen(await verify(shop, phone, wrong)));
    }
    expect(answers.unknown).toEqual(answers.known);
    expect(answers.known).toEqual([
      { status: 422, code: "invalid_code", details: { attempts_left: 4 } },
      { status: 422, code: "invalid_code", details: { attempts_left: 3 } },
      { status: 422, code: "invalid_code", details: { attempts_left: 2 } },
      { status: 422, code: "invalid_code", details: { attempts_left: 1 } },
      { status: 409, code: "code_attempts_exhausted", details: { attempts_left: 0 } },
      { status: 409, code: "code_attempts_exhausted", details: {} },
    ]);
    // The stranger's phone was sent nothing.
    expect(await smsTo(phones.unknown)).toEqual([]);
  });
});

describe("SMS budgets", () => {
  it("five sign-in codes a minute from one address; the sixth is 429 with Retry-After and sends nothing", async () => {
    const shop = await createShop();
    const address = newAddress();
    // The binding counts in fixed 60-second windows (aligned to the clock): a run that crosses a window's end may
    // get up to 5 more before the first 429.
    const statuses = await untilRefused((n) => askCode(shop, `+614000002${String(n).padStart(2, "0")}`, address));
    expect(statuses.slice(0, -1)).toEqual(Array(statuses.length - 1).fill(202));
    const sixth = await askCode(shop, "+61412345678", address);
    expectError(sixth, 429, "rate_limited");
    expect(sixth.headers.get("retry-after")).toBe("60");
    // Another address is not held back.
    expect((await askCode(shop, "+61400000206", newAddress())).status).toBe(202);
  });

  it("an IPv6 client counts by its /64: fresh addresses inside it share the five codes a minute", async () => {
    const shop = await createShop();
    const statuses = await untilRefused((n) => askCode(shop, `+614000004${String(n).padStart(2, "0")}`, `2001:db8:7:${addresses}::${n + 1}`));
    expect(statuses.slice(0, -1)).toEqual(Array(statuses.length - 1).fill(202));
    expectError(await askCode(shop, "+61400000499", `2001:db8:7:${addresses}::ffff`), 429, "rate_limited");
    expect((await askCode(shop, "+61400000407", `2001:db8:7:${addresses + 1000}::1`)).status).toBe(202);
  });

  it("sms_per_hour counts the till's SMS: over it 429 + Retry-After, no SMS, one sms.budget_exhausted alert; sign-in codes still go", async () => {
    const shop = await createShop({ sms: true });
    const settings = await api("PATCH", "/v1/settings", { token: shop.secret, body: { sms_per_hour: 2 } });
    expect(settings.body.sms_per_hour).toBe(2);
    await topUp(shop, 5000, "points");
    const sale = async () =>
      (await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "B-1", total: 2000 }, payments: [{ method: "points", amount: 100 }] })).body.id;
    const before = (await smsTo("+61412345678")).length;
    for (let i = 0; i < 2; i++) expect((await api("POST", `/v1/operations/${await sale()}/sms-codes`, { token: shop.terminal })).status).toBe(201);
    const thirdSale = await sale();
    const key = { "idempotency-key": `third-${Date.now()}` };
    const third = await api("POST", `/v1/operations/${thirdSale}/sms-codes`, { token: shop.terminal, headers: key });
    expectError(third, 429, "rate_limited");
    expect(third.body.error.details.budget).toBe("sms_per_hour");
    const wait = Number(third.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(3600);
    expect((await smsTo("+61412345678")).length - before).toBe(2);
    // Sign-in codes have their own budget: the member still gets one.
    const signIns = (await smsTo("+61412345678")).filter((m) => m.body.includes("sign-in code")).length;
    expect((await askCode(shop, "+61412345678", newAddress())).status).toBe(202);
    await signInSms("+61412345678", signIns + 1);
    expect((await smsTo("+61412345678")).length - before).toBe(3);
    await drainObjectOutbox(tenantObjectOf(env, shop.tenantId));
    const alerts = await api("GET", "/v1/alerts", { token: shop.secret });
    const exhausted = alerts.body.data.filter((a: { type: string }) => a.type === "sms.budget_exhausted");
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0]).toMatchObject({ scope: "tenant", scope_id: shop.tenantId, metric: "sms_sent", period: "hour", bound: 2, value: 2, limit_id: null, operation_id: null });
    // A 429 is not kept for its Idempotency-Key: once the budget allows, the same key sends the code.
    expect((await api("PATCH", "/v1/settings", { token: shop.secret, body: { sms_per_hour: 3 } })).status).toBe(200);
    const retried = await api("POST", `/v1/operations/${thirdSale}/sms-codes`, { token: shop.terminal, headers: key });
    expect(retried.status).toBe(201);
    expect((await smsTo("+61412345678")).length - before).toBe(4);
  });

  it("a stranger asking for sign-in codes uses up sms_signin_per_hour only: the till's codes still go", async () => {
    const shop = await createShop({ sms: true });
    expect((await api("PATCH", "/v1/settings", { token: shop.secret, body: { sms_signin_per_hour: 3 } })).body).toMatchObject({ sms_signin_per_hour: 3, sms_per_hour: 500 });
    // Phones nobody enrolled: each code takes a place as if sent (after the 202), until the fourth is refused.
    let refused: Reply | null = null;
    for (let i = 0; i < 40 && !refused; i++) {
      const reply = await askCode(shop, `+614000005${String(i).padStart(2, "0")}`, newAddress());
      if (reply.status === 429) refused = reply;
      else expect(reply.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refused && seen(refused)).toMatchObject({ status: 429, code: "rate_limited", details: { budget: "sms_signin_per_hour" } });
    // The member's own sign-in is refused too, before anything is sent...
    const before = (await smsTo("+61412345678")).length;
    expectError(await askCode(shop, "+61412345678", newAddress()), 429, "rate_limited");
    // ...but the till's code to pay with points is not.
    await topUp(shop, 5000, "points");
    const sale = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "S-1", total: 2000 }, payments: [{ method: "points", amount: 100 }] });
    expect((await api("POST", `/v1/operations/${sale.body.id}/sms-codes`, { token: shop.terminal })).status).toBe(201);
    // Newest first: what came since is the till's code alone.
    const messages = await smsTo("+61412345678");
    expect(messages.slice(0, messages.length - before).map((m) => m.body.includes("sign-in code"))).toEqual([false]);
    await drainObjectOutbox(tenantObjectOf(env, shop.tenantId));
    const alerts = (await api("GET", "/v1/alerts", { token: shop.secret })).body.data.filter((a: { type: string }) => a.type === "sms.budget_exhausted");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ scope: "tenant", scope_id: shop.tenantId, metric: "signin_sms_sent", period: "hour", bound: 3, value: 3 });
  });
});

describe("the development SMS panel", () => {
  it("answers a loopback client at a loopback host only; anyone else gets the 404 of a route that is not there", async () => {
    const shop = await createShop();
    const panel = (address: string | undefined, host = "127.0.0.1:8787") =>
      exports.default.fetch(new Request(`http://${host}/m/${shop.tenantId}/dev-sms`, { headers: address ? { "cf-connecting-ip": address } : {} }));
    for (const address of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) expect((await panel(address)).status, address).toBe(200);
    expect((await panel("127.0.0.1", "localhost:8787")).status).toBe(200);
    for (const address of ["203.0.113.5", "10.0.0.2", "not an address", undefined]) expect((await panel(address)).status, String(address)).toBe(404);
    // A forged CF-Connecting-IP sent to a server reached at another address is not a loopback client.
    expect((await panel("127.0.0.1", "192.168.1.20:8787")).status).toBe(404);
    const page = async (address: string) =>
      (await exports.default.fetch(new Request(`http://127.0.0.1:8787/m/${shop.tenantId}`, { headers: { "cf-connecting-ip": address } }))).text();
    expect(await page("127.0.0.1")).toContain("dev-sms-list");
    expect(await page("203.0.113.5")).not.toContain("dev-sms-list");
  });
});
