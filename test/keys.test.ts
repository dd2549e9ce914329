/** Keys are shown once, stored as hashes, listed without secrets, rotated and revoked. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, createShop, expectError, topUp } from "./helpers";

/** The secret part of `sk_<id>_<secret>` (the secret may itself hold "_", so no split). */
const secretPart = (token: string) => token.slice("sk_".length + 16 + 1);

describe("keys", () => {
  it("are stored only as hashes and listed without secrets", async () => {
    const shop = await createShop();
    const list = await api("GET", "/v1/keys", { token: shop.secret });
    expect(list.body.data.map((k: any) => k.kind).sort()).toEqual(["secret", "terminal"]);
    expect(JSON.stringify(list.body)).not.toContain(secretPart(shop.secret));
    const stored = await env.DB.prepare("SELECT secret_hash FROM api_keys WHERE tenant_id = ?").bind(shop.tenantId).all();
    expect(JSON.stringify(stored.results)).not.toContain(secretPart(shop.terminal));
    expect(stored.results.every((row: any) => /^[0-9a-f]{64}$/.test(row.secret_hash))).toBe(true);
  });

  it("each key says when it was last used: never, until a request uses it", async () => {
    const shop = await createShop();
    const issued = await api("POST", `/v1/registers/${shop.registerId}/terminal-keys`, { token: shop.secret });
    const lastUsed = async (id: string) => (await api("GET", "/v1/keys", { token: shop.secret })).body.data.find((k: any) => k.id === id).last_used_at;
    expect(await lastUsed(issued.body.key.id)).toBeNull();
    const before = Date.now();
    expect((await api("GET", "/v1/terminal", { token: issued.body.terminal_key })).status).toBe(200);
    const used = await lastUsed(issued.body.key.id);
    expect(Date.parse(used)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(used)).toBeLessThanOrEqual(Date.now());
  });

  it("a rotated terminal key works at once; the revoked one stops at once", async () => {
    const shop = await createShop();
    await topUp(shop, 100);
    const rotated = await api("POST", `/v1/registers/${shop.registerId}/terminal-keys`, { token: shop.secret });
    expect(rotated.status).toBe(201);
    expect(rotated.body.key).toMatchObject({ kind: "terminal", register_id: shop.registerId, store_id: shop.storeId, revoked_at: null });
    expect((await api("GET", "/v1/terminal", { token: rotated.body.terminal_key })).status).toBe(200);
    const oldId = shop.terminal.split("_")[1];
    const revoked = await api("POST", `/v1/keys/${oldId}/revoke`, { token: shop.secret });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    expectError(await api("GET", "/v1/terminal", { token: shop.terminal }), 401, "unauthenticated");
    expectError(await api("POST", `/v1/keys/${oldId}/revoke`, { token: shop.secret }), 404, "key_not_found");
    expect((await api("GET", "/v1/terminal", { token: rotated.body.terminal_key })).status).toBe(200);
  });

  it("another secret key can be issued; another tenant's key cannot be revoked", async () => {
    const shop = await createShop();
    const other = await createShop();
    const issued = await api("POST", "/v1/secret-keys", { token: shop.secret });
    expect(issued.status).toBe(201);
    expect((await api("GET", "/v1/settings", { token: issued.body.secret_key })).status).toBe(200);
    expectError(await api("POST", `/v1/keys/${issued.body.key.id}/revoke`, { token: other.secret }), 404, "key_not_found");
    expectError(await api("POST", `/v1/registers/${shop.registerId}/terminal-keys`, { token: other.secret }), 404, "register_not_found");
    expect((await api("GET", "/v1/settings", { token: issued.body.secret_key })).status).toBe(200);
  });
});
