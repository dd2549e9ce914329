/** An evicted account comes back from storage alone: holds, pending operations and the journal survive. */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account, api, balances, createOperation, createShop, expectInvariants, idemKey, topUp } from "./helpers";

describe("eviction", () => {
  it("a pending operation held before eviction confirms after it, and a retry of its key is still deduplicated", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const key = idemKey();
    const body = { type: "purchase", card: shop.card, cheque: { number: "E-1", total: 1200 }, payments: [{ method: "credit", amount: 1200 }] };
    const created = await createOperation(shop, body, key);
    await evictDurableObject(account(shop));
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 3800 });
    const retried = await createOperation(shop, body, key);
    expect(retried.body).toEqual(created.body);
    await evictDurableObject(account(shop));
    const confirmed = await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal });
    expect(confirmed.body.status).toBe("confirmed");
    expect((await balances(shop)).credit).toEqual({ balance: 3800, available: 3800 });
    await expectInvariants(shop);
  });

  it("an object written at schema version 1 upgrades on start: its holds table goes, pending records still hold", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const body = { type: "purchase", card: shop.card, cheque: { number: "E-2", total: 700 }, payments: [{ method: "credit", amount: 700 }] };
    const created = await createOperation(shop, body);
    expect(created.status).toBe(201);
    // Put the object back as version 1 left it: a holds table beside the records.
    await runInDurableObject(account(shop), (_instance, state) => {
      state.storage.sql.exec("CREATE TABLE holds (operation_id TEXT NOT NULL, method TEXT NOT NULL, amount INTEGER NOT NULL, PRIMARY KEY (operation_id, method))");
      state.storage.sql.exec("INSERT INTO holds VALUES (?, 'credit', 700)", created.body.id);
      state.storage.sql.exec("UPDATE schema_version SET version = 1");
    });
    await evictDurableObject(account(shop));
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 4300 });
    const tables = await runInDurableObject(account(shop), (_instance, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'holds'").toArray(),
    );
    expect(tables).toEqual([]);
    const confirmed = await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal });
    expect(confirmed.body.status).toBe("confirmed");
    expect((await balances(shop)).credit).toEqual({ balance: 4300, available: 4300 });
    await expectInvariants(shop);
  });
});
