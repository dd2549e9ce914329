/**
 * Shards: where a tenant is placed, where its rows go (placement epochs, by member within an epoch), lists that merge
 * across its shards with one cursor, a shard that fails stopping only its own tenants' back office, the platform's
 * view of the shards, and the move of before the shards.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { chooseShard, shardOfRow, shardsOfTenant, withEpoch, type Placement } from "../src/shards/placement";
import { forgetPlace, tenantShards } from "../src/shards/tenant-shards";
import { placeNewTenant, shardReports } from "../src/shards/shard-directory";
import { operationsPage } from "../src/db/operations";
import { historyWriterOf, webhooksOf } from "../src/objects";
import type { HistoryWriterDO } from "../src/history/history-writer-do";
import { account, api, countRecords, createOperation, createShop, drainOutbox, insertRow, onRecords, expectError, expectInvariants, PLATFORM, shardsOver, topUp, type Shop } from "./helpers";
import type { RecordKind } from "../src/db/record-tables";

const shardDb = (id: string) => (env as unknown as Record<string, D1Database>)[`SHARD_${id.slice("shard-".length)}`];

/** Gives a tenant this placement (as the platform's epoch route would, without waiting its minute). */
async function place(tenantId: string, placement: Placement) {
  await env.DB.prepare("UPDATE tenants SET placement = ? WHERE id = ?").bind(JSON.stringify(placement), tenantId).run();
  forgetPlace(tenantId);
}

async function newMember(shop: Shop, name: string) {
  const member = await api("POST", "/v1/members", { token: shop.secret, body: { name, phone: "+61412345670" } });
  expect(member.status).toBe(201);
  const card = String(4000_0000_0000_0000 + Math.floor(Math.random() * 1e12));
  expect((await api("POST", `/v1/members/${member.body.id}/cards`, { token: shop.secret, body: { number: card } })).status).toBe(201);
  return { id: member.body.id as string, card };
}

async function sale(shop: Shop, card: string, amount: number) {
  const held = await createOperation(shop, { type: "top_up", card, method: "credit", amount });
  expect(held.status).toBe(201);
  expect((await api("POST", `/v1/operations/${held.body.id}/confirm`, { token: shop.terminal })).status).toBe(200);
  return held.body.id as string;
}

const countOn = (shard: string, kind: RecordKind, tenantId: string) => countRecords(shardDb(shard), kind, "tenant_id = ?", tenantId);

describe("placement (pure)", () => {
  const placement: Placement = [
    { starts_at: "", shards: ["shard-0"] },
    { starts_at: "2026-12-01T00:00:00.000Z", shards: ["shard-1", "shard-2"] },
  ];

  it("a row goes to the epoch of its own creation time, and in it to its member's shard; a row of no member to the first", () => {
    expect(shardOfRow(placement, "mem_a", "2026-11-30T23:59:59.999Z")).toBe("shard-0");
    const later = ["mem_a", "mem_b", "mem_c", "mem_d", "mem_e", "mem_f"].map((m) => shardOfRow(placement, m, "2026-12-01T00:00:00.000Z"));
    expect(new Set(later)).toEqual(new Set(["shard-1", "shard-2"]));
    // The same member, any time in the epoch: the same shard.
    expect(shardOfRow(placement, "mem_a", "2026-12-24T10:00:00.000Z")).toBe(later[0]);
    expect(shardOfRow(placement, null, "2026-12-05T00:00:00.000Z")).toBe("shard-1");
    expect(shardsOfTenant(placement)).toEqual(["shard-0", "shard-1", "shard-2"]);
  });

  it("a new tenant goes to the least filled open shard; none open is 503 no_open_shard", () => {
    const fills = [
      { id: "shard-0", bytes: 5_000, tenants: 1, open: true },
      { id: "shard-1", bytes: 4_000, tenants: 9, open: false },
      { id: "shard-2", bytes: 4_500, tenants: 3, open: true },
      { id: "shard-3", bytes: 8_100, tenants: 0, open: true },
    ];
    expect(chooseShard(fills, 10_000)).toEqual({ shard: "shard-2" });
    expect(chooseShard(fills.map((f) => ({ ...f, bytes: 8_000 })), 10_000)).toMatchObject({ refused: true, code: "no_open_shard" });
  });

  it("an epoch starts at least a minute ahead, after the last, on known distinct shards", () => {
    const now = Date.parse("2026-12-07T00:00:00.000Z");
    const known = ["shard-0", "shard-1", "shard-2"];
    expect(withEpoch(placement, ["shard-0", "shard-2"], "2026-12-07T00:05:00.000Z", now, known)).toEqual({ placement: [...placement, { starts_at: "2026-12-07T00:05:00.000Z", shards: ["shard-0", "shard-2"] }] });
    expect(withEpoch(placement, ["shard-1"], "2026-12-07T00:00:30.000Z", now, known)).toMatchObject({ code: "invalid_request" });
    expect(withEpoch(placement, ["shard-1", "shard-1"], "2026-12-08T00:00:00.000Z", now, known)).toMatchObject({ code: "invalid_request" });
    expect(withEpoch(placement, ["shard-7"], "2026-12-08T00:00:00.000Z", now, known)).toMatchObject({ code: "invalid_request" });
  });
});

describe("a tenant spanning shards", () => {
  it("rows go where the epochs say; lists, history, events and the day's report merge across them with one cursor", async () => {
    const shop = await createShop();
    const [first] = (await tenantShards(env, shop.tenantId)).all.map((s) => s.id);
    const others = ["shard-0", "shard-1", "shard-2", "shard-3"].filter((s) => s !== first).slice(0, 2);
    const firstTopUp = (await topUp(shop, 1000)).id as string;
    await drainOutbox(shop);
    // From now on, the tenant's new rows go to two other shards, by member.
    const startsAt = new Date(Date.now() + 1).toISOString();
    await place(shop.tenantId, [{ starts_at: "", shards: [first] }, { starts_at: startsAt, shards: others }]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const spanning = (await tenantShards(env, shop.tenantId)).placement;
    const members: { id: string; card: string }[] = [];
    for (let i = 0; i < 8 && new Set(members.map((m) => shardOfRow(spanning, m.id, startsAt))).size < 2; i++) members.push(await newMember(shop, `Member ${i}`));
    const ids: string[] = [];
    for (const [i, member] of members.entries()) ids.push(await sale(shop, member.card, 100 + i));
    // Nicola's history spans both epochs: her top-up on the first shard, this one on her shard of the second.
    const later = await sale(shop, shop.card, 50);
    for (const member of members) await drainOutbox(shop, member.id);
    await drainOutbox(shop);
    const placement = (await tenantShards(env, shop.tenantId)).placement;
    expect(await countOn(first, "operations", shop.tenantId)).toBe(1);
    const expected = new Map<string, number>();
    for (const member of [...members.map((m) => m.id), shop.memberId]) expected.set(shardOfRow(placement, member, startsAt), (expected.get(shardOfRow(placement, member, startsAt)) ?? 0) + 1);
    for (const shard of others) expect(await countOn(shard, "operations", shop.tenantId)).toBe(expected.get(shard) ?? 0);
    expect((await countOn(others[0], "operations", shop.tenantId)) * (await countOn(others[1], "operations", shop.tenantId))).toBeGreaterThan(0);

    // The operations list: newest first across the three shards, two at a time, with a sale made between two pages.
    const all = [later, ...[...ids].reverse(), firstTopUp];
    const seen: string[] = [];
    let cursor: string | null = null;
    let extra: string | null = null;
    do {
      const page: any = await api("GET", `/v1/operations?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token: shop.secret });
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((o: { id: string }) => o.id));
      cursor = page.body.next_cursor;
      if (extra === null) {
        // Newer than every cursor: it is on none of the next pages.
        extra = await sale(shop, members[0].card, 7);
        await drainOutbox(shop, members[0].id);
      }
    } while (cursor);
    expect(seen).toEqual(all);
    expect(extra).not.toBeNull();

    // Nicola's history pages seamlessly over both shards, newest first.
    const history = await api("GET", `/v1/members/${shop.memberId}/history?limit=1`, { token: shop.secret });
    const next = await api("GET", `/v1/members/${shop.memberId}/history?limit=1&cursor=${history.body.next_cursor}`, { token: shop.secret });
    expect([...history.body.data, ...next.body.data].map((e: { amount: number; operation_id: string }) => [e.operation_id, e.amount])).toEqual([
      [later, 50],
      [firstTopUp, 1000],
    ]);
    expect(next.body.next_cursor).toBeNull();

    // Events from every shard, one list; the day's report adds the shards' sums.
    const events = await api("GET", "/v1/events?type=operation.confirmed&limit=100", { token: shop.secret });
    expect(events.body.data).toHaveLength(all.length + 1);
    const today = new Date().toLocaleDateString("en-CA", { timeZone: "Australia/Sydney" });
    const report = await api("GET", `/v1/reports/daily?date=${today}`, { token: shop.secret });
    expect(report.status).toBe(200);
    expect(report.body.balanced).toBe(true);
    const credit = report.body.stores[0].methods.find((m: { method: string }) => m.method === "credit");
    const toppedUp = 1000 + ids.length * 100 + (ids.length * (ids.length - 1)) / 2 + 50 + 7;
    expect([credit.operations.topped_up, credit.journal.topped_up]).toEqual([toppedUp, toppedUp]);
    for (const member of members) await expectInvariants(shop, member.id);
  });
});

describe("a failing shard", () => {
  it("stops only its own tenants' back office: their tills keep selling, other tenants see everything, and nothing is lost", async () => {
    const [sick, well] = [await createShop(), await createShop()];
    await place(sick.tenantId, [{ starts_at: "", shards: ["shard-1"] }]);
    await place(well.tenantId, [{ starts_at: "", shards: ["shard-2"] }]);
    // shard-1 refuses every write and read of the sick tenant's writer and reads.
    const refusing = { prepare: () => { throw new Error("D1_ERROR: shard-1 is not answering"); }, batch: () => Promise.reject(new Error("D1_ERROR: shard-1 is not answering")) };
    await runInDurableObject(historyWriterOf(env, sick.tenantId, "shard-1"), (instance: HistoryWriterDO) => {
      (instance as unknown as { env: unknown }).env = { ...env, SHARD_1: refusing };
    });
    // The sick tenant's till: a sale held and confirmed, the balance right (from its account, not D1).
    await topUp(sick, 900);
    expect((await account(sick).audit()).balances.credit).toBe(900);
    expect((await account(sick).audit()).outboxSize).toBeGreaterThan(0);
    // Its back office's reads of that shard answer 503 shard_unavailable, not a 500.
    await expect(operationsPage(shardsOver(refusing as unknown as D1Database, sick.tenantId), { limit: 10 })).rejects.toMatchObject({ status: 503, code: "shard_unavailable" });
    // The other tenant, on another shard: sells, and its back office shows it.
    const sold = await topUp(well, 400);
    await drainOutbox(well);
    const list = await api("GET", "/v1/operations", { token: well.secret });
    expect(list.body.data.map((o: { id: string }) => o.id)).toEqual([sold.id]);
    // The shard answers again: the sick tenant's history arrives, once.
    await runInDurableObject(historyWriterOf(env, sick.tenantId, "shard-1"), (instance: HistoryWriterDO) => {
      (instance as unknown as { env: unknown }).env = env;
    });
    await drainOutbox(sick);
    expect(await countOn("shard-1", "history", sick.tenantId)).toBe(1);
    await expectInvariants(sick);
  });
});

describe("the platform's shards", () => {
  it("GET /v1/platform/shards: each shard's size, tenants, rows a day and days until full; platform token only", async () => {
    const shop = await createShop();
    await topUp(shop, 100);
    await drainOutbox(shop);
    const [shard] = (await tenantShards(env, shop.tenantId)).all.map((s) => s.id);
    expectError(await api("GET", "/v1/platform/shards", { token: shop.secret }), 403, "forbidden");
    const reply = await api("GET", "/v1/platform/shards", { token: PLATFORM });
    expect(reply.status).toBe(200);
    expect(reply.body.data.map((s: { id: string }) => s.id)).toEqual(["shard-0", "shard-1", "shard-2", "shard-3"]);
    const mine = reply.body.data.find((s: { id: string }) => s.id === shard);
    expect(mine).toEqual({ id: shard, bytes: expect.any(Number), tenants: expect.any(Number), rows_per_day: expect.any(Number), days_until_full: expect.any(Number), open: true, reachable: true });
    expect(mine.bytes).toBeGreaterThan(0);
    expect(mine.tenants).toBeGreaterThanOrEqual(1);
    // A top-up's pair: two operation versions in one row, one journal entry, two events.
    expect(mine.rows_per_day).toBeGreaterThanOrEqual(3);
  });

  it("a shard past 80 % takes no new tenant and raises one platform alert; with none open, a new tenant is 503 no_open_shard", async () => {
    const small = { ...env, SHARD_CAPACITY_BYTES: "1000" } as typeof env;
    try {
      const reports = await shardReports(small);
      expect(reports.every((r) => !r.open)).toBe(true);
      await shardReports(small);
      const alerts = await api("GET", "/v1/platform/alerts", { token: PLATFORM });
      expect(alerts.body.data.filter((a: { type: string }) => a.type === "shard.filling").map((a: { subject_id: string }) => a.subject_id).sort()).toEqual(["shard-0", "shard-1", "shard-2", "shard-3"]);
      expectError(await api("POST", "/v1/tenants", { token: PLATFORM, body: { name: "Too late", currency: "USD", timezone: "UTC" } }), 503, "no_open_shard");
    } finally {
      await env.DB.batch([env.DB.prepare("DELETE FROM closed_shards"), env.DB.prepare("DELETE FROM platform_alerts")]);
    }
    expect((await api("POST", "/v1/tenants", { token: PLATFORM, body: { name: "In time", currency: "USD", timezone: "UTC" } })).status).toBe(201);
  });

  it("a shard that does not answer is reported unreachable and skipped: new tenants go to the others", async () => {
    const refusing = { prepare: () => { throw new Error("D1_ERROR: shard-3 is not answering"); }, batch: () => Promise.reject(new Error("D1_ERROR: shard-3 is not answering")) };
    const broken = { ...env, SHARD_3: refusing } as unknown as typeof env;
    const reports = await shardReports(broken);
    expect(reports.find((r) => r.id === "shard-3")).toMatchObject({ reachable: false, open: false, bytes: 0, days_until_full: null });
    expect(reports.filter((r) => r.id !== "shard-3").every((r) => r.reachable && r.open)).toBe(true);
    const placed = await placeNewTenant(broken);
    expect(placed).toEqual({ placement: expect.stringMatching(/"shard-[012]"/) });
  });

  it("POST /v1/platform/tenants/{id}/epochs adds an epoch a minute ahead at least; nothing moves", async () => {
    const shop = await createShop();
    const before = (await tenantShards(env, shop.tenantId)).placement;
    const startsAt = new Date(Date.now() + 120_000).toISOString();
    const reply = await api("POST", `/v1/platform/tenants/${shop.tenantId}/epochs`, { token: PLATFORM, body: { starts_at: startsAt, shards: ["shard-2", "shard-3"] } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ tenant_id: shop.tenantId, placement: [...before, { starts_at: startsAt, shards: ["shard-2", "shard-3"] }] });
    expectError(await api("POST", `/v1/platform/tenants/${shop.tenantId}/epochs`, { token: PLATFORM, body: { starts_at: new Date().toISOString(), shards: ["shard-1"] } }), 400, "invalid_request");
    expectError(await api("POST", "/v1/platform/tenants/ten_0000000000000000/epochs", { token: PLATFORM, body: { starts_at: startsAt, shards: ["shard-1"] } }), 404, "tenant_not_found");
  });
});

describe("the move of before the shards", () => {
  it("takes every row of the one database to shard-0, counts and sums checked, and a second run moves nothing", async () => {
    const shop = await createShop();
    const t = shop.tenantId;
    const sale = await topUp(shop, 700);
    await drainOutbox(shop);
    // As the single database had it: the tenant of before the shards, its history in DB.
    const [home] = (await tenantShards(env, t)).all;
    for (const [kind, table] of [["operations", "operations"], ["history", "history_entries"]] as const) {
      const rows = await onRecords(home.d1, kind, "SELECT * FROM {table} WHERE tenant_id = ?", t);
      for (const row of rows) await insertRow(env.DB, table, row);
      await onRecords(home.d1, kind, "DELETE FROM {table} WHERE tenant_id = ?", t);
    }
    const now = new Date().toISOString();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO history_entries (id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, created_at) VALUES ('ent_m2', ?1, ?2, 99, 'op_m2', 'payment', 'credit', -250, 450, ?3)").bind(t, shop.memberId, now),
      // The event log's table of before, which shard-0's writer has dropped there (it was empty), and a delivery
      // still being tried.
      env.DB.prepare("INSERT INTO events (id, tenant_id, type, created_at, payload) VALUES ('evt_moved', ?1, 'card.blocked', ?2, ?3)").bind(
        t,
        now,
        JSON.stringify({ id: "evt_moved", type: "card.blocked", created_at: now, livemode: true, data: { card: { number: shop.card, member_id: shop.memberId, status: "blocked", block_reason: "lost", replaced_by: null, livemode: true } } }),
      ),
      env.DB.prepare("INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, type, payload, attempts, next_attempt_at, created_at) VALUES ('evt_moved', 'whe_m', ?1, 'card.blocked', '{}', 1, ?2, ?3)").bind(t, Date.now() + 3_600_000, now),
    ]);
    await shardDb("shard-0").prepare("DROP TABLE IF EXISTS events").run();
    await place(t, []);
    const before = await env.DB.prepare("SELECT COUNT(*) AS n, SUM(amount) AS sum FROM history_entries WHERE tenant_id = ?").bind(t).first();
    expect(before).toEqual({ n: 2, sum: 450 });

    const moved = await api("POST", "/v1/platform/shards/move", { token: PLATFORM });
    expect(moved.status).toBe(200);
    const row = (table: string) => moved.body.data.find((m: { table: string }) => m.table === table);
    expect(row("history_entries")).toEqual({ table: "history_entries", rows: 2, sum: 450 });
    expect(row("operations")).toEqual({ table: "operations", rows: 1, sum: null });
    for (const table of ["history_entries", "operations"]) expect(await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<number>("n")).toBe(0);
    expect(await shardDb("shard-0").prepare("SELECT COUNT(*) AS n, SUM(amount) AS sum FROM history_entries WHERE tenant_id = ?").bind(t).first()).toEqual(before);
    expect(row("events")).toEqual({ table: "events", rows: 1, sum: null });
    expect(row("webhook_deliveries")).toEqual({ table: "webhook_deliveries", rows: 1, sum: null });
    // The back office reads them where they now are; the tenant's webhook sender was woken for its delivery.
    expect((await api("GET", "/v1/operations", { token: shop.secret })).body.data.map((o: { id: string }) => o.id)).toEqual([sale.id]);
    expect((await api("GET", "/v1/events?type=card.blocked", { token: shop.secret })).body.data.map((e: { id: string }) => e.id)).toEqual(["evt_moved"]);
    expect(await runInDurableObject(webhooksOf(env, t), (_instance, state) => state.storage.get("tenant"))).toBe(t);
    const again = await api("POST", "/v1/platform/shards/move", { token: PLATFORM });
    expect(again.body.data.every((m: { rows: number }) => m.rows === 0)).toBe(true);
  });
});
