/**
 * The history writer: shipments of several accounts that arrive together go to D1 in one batch; a shipment D1
 * refuses fails alone; a writer lost mid-batch leaves the accounts' outboxes to ship again, adding nothing twice.
 */
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";

import { type Shipment } from "../src/history/projection";
import { jsonChunks } from "../src/lib/json-chunks";
import { historyRows } from "../src/db/history";
import { account, api, createOperation, createShop, d1WithBatch, drainOutbox, expectInvariants, onRecords, shardOf, topUp, writerUsesDb } from "./helpers";
import { tenantShards } from "../src/shards/tenant-shards";
import { OutboxStorage } from "../src/history/outbox-storage";
import { historyWriterOf } from "../src/objects";

/** The writer's hourly clean-up of old events (beside the batches; not one of them). */
const isCleanUp = (statements: D1PreparedStatement[]) => /^DELETE FROM webhook_attempts/.test((statements[0] as unknown as { statement?: string }).statement ?? "");

/** A shop whose history writer uses a D1 with its batch calls counted (the number of statements of each). */
async function writerCountingBatches() {
  const shop = await createShop();
  await drainOutbox(shop);
  const batches: number[] = [];
  await writerUsesDb(
    shop,
    d1WithBatch((statements, real) => {
      if (isCleanUp(statements)) return real.batch(statements);
      batches.push(statements.length);
      return real.batch(statements);
    }, await shardOf(shop.tenantId)),
  );
  return { shop, batches, writer: await shardWriter(shop.tenantId) };
}

/** The tenant's history writer for its shard, writing shipments there. */
async function shardWriter(tenantId: string) {
  const shard = (await tenantShards(env, tenantId)).all[0].id;
  const writer = historyWriterOf(env, tenantId, shard);
  return { write: (shipment: Shipment, target = shard) => writer.write(target, shipment) };
}

function shipment(tenantId: string, memberId: string, n: number, amount: number | null = 100): Shipment {
  return {
    tenant_id: tenantId,
    member_id: memberId,
    operations: [],
    entries: [
      {
        id: `je_${tenantId}_${memberId}_${n}`,
        seq: n,
        operation_id: `op_test_${n}`,
        kind: "top_up",
        method: "credit",
        amount: amount as number,
        balance_after: 100 * n,
        store_id: null,
        register_id: null,
        created_at: new Date().toISOString(),
      },
    ],
    cards: [],
    alerts: [],
    events: [],
    audits: [],
  } as unknown as Shipment;
}

const entriesOf = async (tenantId: string, onShardOf = tenantId) =>
  ({ results: (await onRecords<{ member_id: string; amount: number }>(await shardOf(onShardOf), "history", "SELECT member_id, amount FROM {table} WHERE tenant_id = ?", tenantId)).sort((a, b) => a.member_id.localeCompare(b.member_id)) })
    .results;

describe("history writer", () => {
  it("writes the shipments of several accounts that arrive together in one D1 batch", async () => {
    const { shop, batches, writer } = await writerCountingBatches();
    await Promise.all(["mem_a", "mem_b", "mem_c"].map((member, i) => writer.write(shipment(shop.tenantId, member, i + 1))));
    // One statement for the entries of all three, the table of their generation (made by this writer's first batch
    // that writes to it), and the writer's first count of the shard's rows of the day.
    expect(batches).toEqual([3]);
    expect(await entriesOf(shop.tenantId)).toEqual([
      { member_id: "mem_a", amount: 100 },
      { member_id: "mem_b", amount: 100 },
      { member_id: "mem_c", amount: 100 },
    ]);
  });

  it("one D1 batch at a time: what arrives while D1 has a batch goes together in the next", async () => {
    const shop = await createShop();
    await drainOutbox(shop);
    const batches: number[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await writerUsesDb(
      shop,
      d1WithBatch(async (statements, real) => {
        if (isCleanUp(statements)) return real.batch(statements);
        batches.push(statements.length);
        if (batches.length === 1) await held;
        return real.batch(statements);
      }, await shardOf(shop.tenantId)),
    );
    const writer = await shardWriter(shop.tenantId);
    const first = writer.write(shipment(shop.tenantId, "mem_a", 1));
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    // Three more, each more than one window (100 ms) after the last, while D1 still has the first batch.
    const later: Promise<unknown>[] = [];
    for (const member of ["mem_b", "mem_c", "mem_d"]) {
      later.push(writer.write(shipment(shop.tenantId, member, 1)));
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    expect(batches).toHaveLength(1);
    release();
    await Promise.all([first, ...later]);
    expect(batches).toHaveLength(2);
    expect((await entriesOf(shop.tenantId)).map((e) => e.member_id)).toEqual(["mem_a", "mem_b", "mem_c", "mem_d"]);
  });

  it("a shipment D1 refuses fails alone; the others of its batch are written", async () => {
    const { shop, batches, writer } = await writerCountingBatches();
    const results = await Promise.all([
      writer.write(shipment(shop.tenantId, "mem_a", 1)),
      writer.write(shipment(shop.tenantId, "mem_b", 1, null)),
      writer.write(shipment(shop.tenantId, "mem_c", 1)),
    ]);
    expect(results.map((r) => r.written)).toEqual([true, false, true]);
    expect(results[1]).toEqual({ written: false, reason: expect.stringMatching(/NOT NULL/) });
    // The batch of three, then each alone.
    // Each with the count of its own rows: the writer has not counted yet when they start (then once a minute), and
    // each makes the generation's table (none of them knows the others made it).
    expect(batches).toEqual([3, 3, 3, 3]);
    expect(await entriesOf(shop.tenantId)).toEqual([
      { member_id: "mem_a", amount: 100 },
      { member_id: "mem_c", amount: 100 },
    ]);
  });

  it("a writer aborted while D1 has its batch: the account keeps its outbox and ships it later, once", async () => {
    const shop = await createShop();
    await drainOutbox(shop);
    let calls = 0;
    const stuck = d1WithBatch(() => {
      calls += 1;
      return new Promise(() => {});
    }, await shardOf(shop.tenantId));
    await writerUsesDb(shop, stuck);
    await topUp(shop, 700);
    const alarm = runDurableObjectAlarm(account(shop));
    await vi.waitFor(() => expect(calls).toBe(1));
    // The runtime restarts every object: the writer with its batch in D1's hands, the account inside its alarm.
    await abortAllDurableObjects();
    await expect(alarm).rejects.toThrow(/abortAllDurableObjects/);
    expect((await account(shop).audit()).outboxSize).toBeGreaterThan(0);
    expect(await entriesOf(shop.tenantId)).toEqual([]);
    // The account, started again, sets its alarm again; the next writer is a fresh instance with the real D1.
    expect(await runInDurableObject(account(shop), (_instance, state) => state.storage.getAlarm())).toEqual(expect.any(Number));
    await drainOutbox(shop);
    const audit = await expectInvariants(shop);
    expect(audit.journal.map((e) => [e.kind, e.amount])).toEqual([["top_up", 700]]);
    expect(await entriesOf(shop.tenantId)).toEqual([{ member_id: shop.memberId, amount: 700 }]);
  });

  it("refuses a shipment of another tenant, or for another database, than the one it writes for", async () => {
    const shop = await createShop();
    await drainOutbox(shop);
    const writer = await shardWriter(shop.tenantId);
    await writer.write(shipment(shop.tenantId, "mem_a", 1));
    const refused = { written: false, reason: "a shipment of another tenant or database reached this history writer" };
    expect(await writer.write(shipment("ten_other0000000000", "mem_b", 1))).toEqual(refused);
    expect(await writer.write(shipment(shop.tenantId, "mem_b", 2), "shard-9")).toEqual(refused);
    expect(await entriesOf(shop.tenantId)).toEqual([{ member_id: "mem_a", amount: 100 }]);
    expect(await entriesOf("ten_other0000000000", shop.tenantId)).toEqual([]);
  });

  it("a settlement's entries share one row, and the same shipment twice in one batch gives each entry once", () => {
    const entry = (seq: number, operation: string, kind: string) => ({ id: `ent_${seq}`, seq, operation_id: operation, kind, method: "credit" as const, amount: seq, balance_after: seq, store_id: "sto_1", register_id: "reg_1", created_at: `2026-12-07T10:00:0${operation.length % 10}.000Z`, member_id: "mem_a" });
    const shipped = [entry(5, "op_b", "payment"), entry(6, "op_b", "accrual"), entry(7, "op_b", "accrual"), entry(8, "op_cc", "top_up")];
    const rows = historyRows([...shipped, ...shipped]);
    expect(rows.map((r) => [r.seq, r.more?.map((m) => m.seq) ?? null])).toEqual([
      [5, [6, 7]],
      [8, null],
    ]);
  });

  it("cuts JSON arrays below the bound-value limit, keeping every value once and in order", () => {
    const values = Array.from({ length: 3000 }, (_, i) => ({ i, pad: "x".repeat(500) }));
    const chunks = jsonChunks(values);
    expect(chunks.length).toBe(3);
    expect(chunks.every((chunk) => chunk.length <= 512 * 1024)).toBe(true);
    expect(chunks.flatMap((chunk) => JSON.parse(chunk) as { i: number }[]).map((v) => v.i)).toEqual(values.map((v) => v.i));
    expect(jsonChunks([])).toEqual([]);
    expect(jsonChunks([{ a: 1 }, "b", null])).toEqual(['[{"a":1},"b",null]']);
  });
  it("a confirm ships at once, with the create it takes along: its event is in D1 while the account's alarm has not rung", async () => {
    const shop = await createShop();
    await drainOutbox(shop);
    const created = await createOperation(shop, { type: "top_up", card: shop.card, method: "credit", amount: 700 });
    expect((await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal })).status).toBe(200);
    const types = async () =>
      (await api("GET", `/v1/events?limit=10`, { token: shop.secret })).body.data.filter((e: any) => e.data.operation?.id === created.body.id).map((e: any) => e.type);
    await vi.waitFor(async () => expect(await types()).toEqual(["operation.confirmed", "operation.created"]), { timeout: 5000, interval: 20 });
    // The alarm set behind the shipment is still waiting: the shipment did not wait for it.
    const alarm = await runInDurableObject(account(shop), (_, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect((await account(shop).audit()).outboxSize).toBe(0);
    await expectInvariants(shop);
  });

  it("rows shipped while more came stay in the table, marked, until the outbox empties: then it is made again", async () => {
    const shop = await createShop();
    await drainOutbox(shop);
    await runInDurableObject(account(shop), (_, state) => {
      const sql = state.storage.sql;
      const outbox = new OutboxStorage(sql);
      const rows = () => sql.exec<{ id: number }>("SELECT id FROM outbox ORDER BY id").toArray().map((r) => r.id);
      for (let i = 0; i < 3; i++) {
        outbox.enqueue("event", `evt_${i}`, { id: `evt_${i}` });
        outbox.flush();
      }
      const first = outbox.batch(2);
      expect(first.map((r) => r.id)).toEqual([1, 2]);
      outbox.dropShipped(2, 2);
      // Row 3 came behind them: 1 and 2 stay, shipped, and are no longer the outbox's.
      expect(rows()).toEqual([1, 2, 3]);
      expect(outbox.size()).toBe(1);
      expect(outbox.batch(10).map((r) => r.id)).toEqual([3]);
      outbox.dropShipped(3, 1);
      expect(rows()).toEqual([]);
      expect(outbox.hasRows()).toBe(false);
      // Numbered from 1 again, and not taken for shipped.
      outbox.enqueue("event", "evt_3", { id: "evt_3" });
      outbox.flush();
      expect(outbox.batch(10).map((r) => r.id)).toEqual([1]);
      outbox.dropShipped(1, 1);
      expect(rows()).toEqual([]);
    });
  });
});
