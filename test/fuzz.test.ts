/**
 * Fuzzing every documented route: bodies drawn from the routes' own zod schemas (as JSON Schema), mutated, random JSON
 * and raw bytes; path parameters from real, foreign and junk ids; right, wrong and missing credentials. No answer
 * may be a 5xx, every error has the API.md shape, and a refused request changes nothing.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { z } from "zod";
import { documented } from "../src/routes/endpoint";
import "../src/app";
import { api, account, createOperation, createShop, memberCookie, PLATFORM, topUp, uniqueCard } from "./helpers";

type Schema = Record<string, any>;

/** Values that match a JSON Schema (most of the time), from fast-check. */
function fromSchema(schema: Schema, pools: Record<string, fc.Arbitrary<unknown>>, name = ""): fc.Arbitrary<unknown> {
  if (pools[name] && Math.random() < 0.7) return pools[name];
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((v: Schema) => fromSchema(v, pools, name)));
  switch (schema.type) {
    case "object": {
      const props = schema.properties ?? {};
      const record = Object.fromEntries(Object.entries(props).map(([key, sub]) => [key, fromSchema(sub as Schema, pools, key)]));
      return fc.record(record, { requiredKeys: schema.required ?? [] });
    }
    case "array":
      return fc.array(fromSchema(schema.items ?? {}, pools, name), { maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case "string":
      return schema.pattern ? fc.stringMatching(new RegExp(schema.pattern)) : fc.string({ maxLength: schema.maxLength ? Math.min(schema.maxLength, 40) : 40 });
    case "integer":
      return fc.integer({ min: Math.max(schema.minimum ?? -10, -10), max: Math.min(schema.maximum ?? 100_000, 100_000) });
    case "number":
      return fc.double({ noNaN: true, min: -10, max: 100_000 });
    case "boolean":
      return fc.boolean();
    default:
      return fc.jsonValue();
  }
}

/** Breaks a valid-looking body: a field removed, a field of the wrong type, an unknown field. */
const mutate = (value: unknown) =>
  fc.oneof(
    fc.constant(value),
    fc.tuple(fc.string(), fc.jsonValue()).map(([key, extra]) => (typeof value === "object" && value !== null && !Array.isArray(value) ? { ...value, [`x${key}`]: extra } : value)),
    fc.jsonValue().map((junk) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return junk;
      const keys = Object.keys(value);
      if (keys.length === 0) return junk;
      return { ...value, [keys[keys.length - 1]]: junk };
    }),
  );

const rawBody = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => String.fromCharCode(...bytes)),
  fc.constantFrom("", "{", "[]", "null", '{"a":', "\u0000", "1e999", '{"amount":-0}'),
);

async function fingerprint(shop: { tenantId: string }, stub: ReturnType<typeof account>) {
  const counts = await env.DB.prepare(
    `SELECT (SELECT COUNT(*) FROM stores WHERE tenant_id = ?1) AS stores, (SELECT COUNT(*) FROM registers WHERE tenant_id = ?1) AS registers,
            (SELECT COUNT(*) FROM members WHERE tenant_id = ?1) AS members, (SELECT COUNT(*) FROM cards WHERE tenant_id = ?1) AS cards,
            (SELECT COUNT(*) FROM limits WHERE tenant_id = ?1 AND deleted_at IS NULL) AS limits,
            (SELECT COUNT(*) FROM webhook_endpoints WHERE tenant_id = ?1 AND deleted_at IS NULL) AS hooks,
            (SELECT COUNT(*) FROM api_keys WHERE tenant_id = ?1) AS keys,
            (SELECT approval_required_for || points_per_currency_unit || point_value || hold_ttl_seconds FROM tenants WHERE id = ?1) AS settings`,
  )
    .bind(shop.tenantId)
    .first();
  // The summary first: it expires holds that fell due since the last call, so the audit reads the account as of now
  // (an expiry is time passing, not the request's doing).
  const summary = await stub.summary({ tenant_id: shop.tenantId, member_id: (shop as any).memberId });
  const audit = await stub.audit();
  return JSON.stringify({ counts, balances: audit.balances, held: audit.held, journal: audit.journal.length, cards: summary.cards });
}

afterEach(() => vi.restoreAllMocks());

describe("fuzzing every route", () => {
  it(`${inject("fuzzRequests")} requests: no 5xx, one error shape, refused requests change nothing`, async () => {
    // Webhook endpoints the fuzz creates (hooks.example, x) are answered here, not looked up in a DNS this machine has not.
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      // Both hosts the fuzz's endpoints may name (development accepts a plain http receiver too).
      return /^(https:\/\/hooks\.example\/|http:\/\/x(\/|$))/.test(url) ? new Response("ok") : realFetch(input, init);
    });
    const shop = await createShop({ sms: true });
    const other = await createShop();
    await topUp(shop, 20000);
    await topUp(shop, 5000, "points");
    const pending = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "F", total: 100 }, payments: [{ method: "credit", amount: 100 }] });
    const memberToken = (await memberCookie(shop)).split("=")[1];
    const stub = account(shop);
    const credentials: Record<string, string> = { platform: PLATFORM, secret: shop.secret, terminal: shop.terminal, member: memberToken };

    const ids = fc.constantFrom(
      shop.storeId, shop.registerId, shop.memberId, shop.card, pending.body.id, other.storeId, other.memberId, other.card,
      "sto_0000000000000000", `op_${"0".repeat(32)}`, "..", "%00", "a".repeat(300), uniqueCard(), "apr_0000000000000000", "lim_0000000000000000",
    );
    const pools: Record<string, fc.Arbitrary<unknown>> = {
      card: fc.constantFrom(shop.card, other.card, uniqueCard()),
      original_operation_id: fc.constantFrom(pending.body.id, `op_${"1".repeat(32)}`),
      scope_id: fc.constantFrom(shop.storeId, shop.registerId, shop.card, null),
      tenant_id: fc.constantFrom(shop.tenantId, other.tenantId),
      url: fc.constantFrom("https://hooks.example/x", "http://x", "not a url"),
    };

    const endpoints = documented.filter((e) => !e.path.startsWith("/v1/dev/"));
    const request = fc.record({
      endpoint: fc.constantFrom(...endpoints),
      param: ids,
      credential: fc.oneof(fc.constant("right"), fc.constant("right"), fc.constant("right"), fc.constantFrom("none", "wrong", "other-tenant")),
      kind: fc.constantFrom("schema", "schema", "mutated", "json", "raw"),
      seed: fc.integer(),
      idem: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
    });

    let sent = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ endpoint, param, credential, kind, seed, idem }) => {
        const path = endpoint.path.replace(/:([a-z_]+)/g, () => encodeURIComponent(param));
        const schema = endpoint.body ? (z.toJSONSchema(endpoint.body, { io: "input", unrepresentable: "any" }) as Schema) : { type: "object" };
        const generated = fc.sample(fromSchema(schema, pools), { seed, numRuns: 1 })[0];
        let raw: string | undefined;
        if (endpoint.method !== "get" && endpoint.method !== "delete") {
          if (kind === "raw") raw = fc.sample(rawBody, { seed, numRuns: 1 })[0];
          else if (kind === "json") raw = JSON.stringify(fc.sample(fc.jsonValue(), { seed, numRuns: 1 })[0]);
          else if (kind === "mutated") raw = JSON.stringify(fc.sample(mutate(generated), { seed, numRuns: 1 })[0]);
          else raw = JSON.stringify(generated);
        }
        const query = endpoint.query ? `?${new URLSearchParams(Object.entries((fc.sample(fromSchema(z.toJSONSchema(endpoint.query, { io: "input" }) as Schema, pools), { seed, numRuns: 1 })[0] ?? {}) as object).map(([k, v]) => [k, String(v)]))}` : "";
        const token =
          credential === "none" ? undefined : credential === "wrong" ? "sk_nope" : credential === "other-tenant" ? other.secret : credentials[endpoint.auth[0] ?? "secret"];
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (idem !== undefined) headers["idempotency-key"] = idem;
        if (endpoint.path === "/v1/operations" && endpoint.method === "post" && idem === undefined) headers["idempotency-key"] = `fuzz-${seed}`;
        const mutating = endpoint.method !== "get";
        const before = mutating ? await fingerprint(shop, stub) : null;
        const reply = await api(endpoint.method.toUpperCase(), `${path}${query}`, { token, raw, headers });
        sent += 1;
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        expect(reply.status, `${endpoint.method} ${path} → ${JSON.stringify(reply.body)}`).toBeLessThan(500);
        if (reply.status >= 400) {
          expect(Object.keys(reply.body)).toEqual(["error"]);
          expect(typeof reply.body.error.code).toBe("string");
          expect(typeof reply.body.error.message).toBe("string");
          expect(typeof reply.body.error.details).toBe("object");
          // 422 limit_exceeded and SMS attempts legitimately record an alert or an attempt; nothing that changes balances, records or cards.
          if (before !== null) expect(await fingerprint(shop, stub), `${endpoint.method} ${path} ${reply.status} ${reply.body.error.code}`).toBe(before);
        }
      }),
      { numRuns: inject("fuzzRequests") },
    );
    expect(sent).toBeGreaterThanOrEqual(inject("fuzzRequests"));
    // The endpoints it made go, so no delivery still due after the test reaches a real fetch once the stub is gone.
    await env.DB.prepare("UPDATE webhook_endpoints SET deleted_at = ? WHERE deleted_at IS NULL").bind(new Date().toISOString()).run();
    // The fuzz reached past validation too: some requests succeeded and many were refused for reasons beyond 400.
    expect([...statuses.keys()].filter((s) => s < 300).length).toBeGreaterThan(0);
    expect([...statuses.keys()].some((s) => s === 404 || s === 409 || s === 422)).toBe(true);
  }, 600_000);
});
