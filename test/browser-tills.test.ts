/** Browser tills: a web POS on an origin the business allows calls the terminal routes; no other page may. */
import { describe, expect, it } from "vitest";
import { api, balances, createOperation, createShop, expectError, idemKey, topUp } from "./helpers";

const POS = "https://pos.cafe-aroma.example";

const preflight = (origin: string, path = "/v1/operations") =>
  api("OPTIONS", path, { headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type,idempotency-key" } });

const sale = (card: string) => ({ type: "purchase", card, cheque: { number: "W-1", total: 100 }, payments: [{ method: "credit", amount: 100 }] });

describe("browser tills (allowed_origins)", () => {
  it("nothing is allowed by default: the preflight gets no Allow-Origin, and the key used from the page is refused before anything is done", async () => {
    const shop = await createShop();
    await topUp(shop, 1000);
    const pre = await preflight("https://nobody-allows-this.example");
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    const refused = await api("POST", "/v1/operations", { token: shop.terminal, body: sale(shop.card), headers: { origin: POS, "idempotency-key": idemKey() } });
    expectError(refused, 403, "forbidden");
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    // Nothing was held.
    expect((await balances(shop)).credit).toEqual({ balance: 1000, available: 1000 });
    // A POS server sends no Origin, and is not concerned.
    expect((await createOperation(shop, sale(shop.card))).status).toBe(201);
  });

  it("an allowed origin: the preflight says what may be sent, and the till's answers can be read from the page", async () => {
    const shop = await createShop();
    await topUp(shop, 1000);
    const set = await api("PATCH", "/v1/settings", { token: shop.secret, body: { allowed_origins: [POS, "http://localhost:5173"] } });
    expect(set.body.allowed_origins).toEqual([POS, "http://localhost:5173"]);
    const pre = await preflight(POS, "/v1/operations/op_x/confirm");
    expect([pre.status, pre.headers.get("access-control-allow-origin"), pre.headers.get("access-control-allow-headers"), pre.headers.get("access-control-max-age")]).toEqual([
      204,
      POS,
      "authorization,content-type,idempotency-key,x-request-id",
      "600",
    ]);
    const held = await api("POST", "/v1/operations", { token: shop.terminal, body: sale(shop.card), headers: { origin: POS, "idempotency-key": idemKey() } });
    expect([held.status, held.headers.get("access-control-allow-origin"), held.headers.get("access-control-expose-headers")]).toEqual([201, POS, "retry-after,x-request-id"]);
    const confirmed = await api("POST", `/v1/operations/${held.body.id}/confirm`, { token: shop.terminal, headers: { origin: POS } });
    expect([confirmed.status, confirmed.body.status, confirmed.headers.get("access-control-allow-origin")]).toEqual([200, "confirmed", POS]);
    const terminal = await api("GET", "/v1/terminal", { token: shop.terminal, headers: { origin: "http://localhost:5173" } });
    expect([terminal.status, terminal.headers.get("access-control-allow-origin")]).toEqual([200, "http://localhost:5173"]);

    // Another business's key from the same page is refused: the origin is allowed by this business, not by that one.
    const other = await createShop();
    expectError(await api("GET", "/v1/terminal", { token: other.terminal, headers: { origin: POS } }), 403, "forbidden");
    // A revoked or wrong key from the allowed page: its 401 can be read there.
    const unknown = await api("GET", "/v1/terminal", { token: "tk_nope_nope", headers: { origin: POS } });
    expect([unknown.status, unknown.headers.get("access-control-allow-origin"), unknown.headers.get("vary")]).toEqual([401, POS, "Origin"]);
    // A secret key is never for a browser: no Allow-Origin for it.
    const listed = await api("GET", "/v1/operations", { token: shop.secret, headers: { origin: POS } });
    expect([listed.status, listed.headers.get("access-control-allow-origin")]).toEqual([200, null]);

    // Emptied again: the preflight no longer answers for it.
    expect((await api("PATCH", "/v1/settings", { token: shop.secret, body: { allowed_origins: [] } })).body.allowed_origins).toEqual([]);
    expect((await preflight(POS)).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("only plain web origins are accepted, and a refused list changes nothing", async () => {
    const shop = await createShop();
    for (const origins of [["https://pos.example/till"], ["http://pos.example"], ["ftp://pos.example"], ["pos.example"], ["https://POS.example"], [POS, POS], Array.from({ length: 21 }, (_, i) => `https://p${i}.example`)]) {
      const reply = await api("PATCH", "/v1/settings", { token: shop.secret, body: { allowed_origins: origins } });
      expectError(reply, 400, "invalid_request");
    }
    expect((await api("GET", "/v1/settings", { token: shop.secret })).body.allowed_origins).toEqual([]);
  });
});
