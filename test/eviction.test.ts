/** An evicted account comes back from storage alone: holds, pending operations and the journal survive. */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account, api, balances, countRecords, createOperation, createShop, drainOutbox, expectInvariants, idemKey, shardOf, topUp } from "./helpers";

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

  it("a create shipped alone keeps its messages in its row until its confirm; evicted meanwhile, it ships once more, adding nothing", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    await drainOutbox(shop);
    const created = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "E-3", total: 400 }, payments: [{ method: "credit", amount: 400 }] });
    const id = created.body.id as string;
    const inD1 = async () => {
      const listed = (await api("GET", "/v1/operations", { token: shop.secret })).body.data.find((o: { id: string }) => o.id === id);
      const events = (await api("GET", "/v1/events", { token: shop.secret })).body.data.filter((e: { data: { operation?: { id: string } } }) => e.data.operation?.id === id);
      return { status: listed?.status, events: events.map((e: { type: string }) => e.type) };
    };
    const rowHolds = () => runInDurableObject(account(shop), (_, state) => state.storage.sql.exec<{ outbox: string | null }>("SELECT outbox FROM operations WHERE id = ?", id).one().outbox !== null);
    // The alarm ships the create alone (its confirm did not come within the wait); the row is not written again for it.
    await drainOutbox(shop);
    expect(await inD1()).toEqual({ status: "pending", events: ["operation.created"] });
    expect(await rowHolds()).toBe(true);
    expect((await account(shop).audit()).outboxSize).toBe(0);
    // Evicted, the object no longer knows it shipped them: they ship again, and D1 has them once.
    await evictDurableObject(account(shop));
    expect((await account(shop).audit()).outboxSize).toBe(1);
    await drainOutbox(shop);
    expect(await inD1()).toEqual({ status: "pending", events: ["operation.created"] });
    const rows = await countRecords(await shardOf(shop.tenantId), "operations", "tenant_id = ? AND id = ?", shop.tenantId, id);
    expect(rows).toBe(1);
    // The confirm clears the row and ships the operation as it now is, with its entries.
    expect((await api("POST", `/v1/operations/${id}/confirm`, { token: shop.terminal })).body.status).toBe("confirmed");
    expect(await rowHolds()).toBe(false);
    await drainOutbox(shop);
    expect(await inD1()).toEqual({ status: "confirmed", events: ["operation.confirmed", "operation.created"] });
    expect((await balances(shop)).credit).toEqual({ balance: 4600, available: 4600 });
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
    const indexes = await runInDurableObject(account(shop), (_instance, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'operations' AND sql IS NOT NULL").toArray(),
    );
    expect(indexes.map((i) => i.name)).toEqual(["operations_pending_expiry"]);
    const confirmed = await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal });
    expect(confirmed.body.status).toBe("confirmed");
    expect((await balances(shop)).credit).toEqual({ balance: 4300, available: 4300 });
    await expectInvariants(shop);
  });

  it("the queries over pending operations read only the partial index of pending ones", async () => {
    const shop = await createShop();
    await topUp(shop, 100);
    const plans = await runInDurableObject(account(shop), (_instance, state) =>
      [
        "SELECT COALESCE(SUM(record ->> '$.holds.credit'), 0) FROM operations WHERE status = 'pending'",
        "SELECT id FROM operations WHERE status = 'pending' AND expires_at <= 5",
        "SELECT id FROM operations WHERE card = 'c' AND status = 'pending'",
        "SELECT MIN(expires_at) AS at FROM operations WHERE status = 'pending'",
      ].map((query) => state.storage.sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`).toArray().map((row) => row.detail).join("; ")),
    );
    expect(plans).toEqual([
      "SCAN operations USING INDEX operations_pending_expiry",
      // Keyed by id (WITHOUT ROWID), the index holds the id: the expiry scan reads no table row.
      "SEARCH operations USING COVERING INDEX operations_pending_expiry (expires_at<?)",
      "SCAN operations USING INDEX operations_pending_expiry",
      "SEARCH operations USING COVERING INDEX operations_pending_expiry",
    ]);
  });
});
