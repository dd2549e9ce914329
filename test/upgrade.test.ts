/**
 * Issue 18's storage changes, on data written before them: an AccountDO and a StoreDO put back into their old
 * shapes (schema versions 5 and 4) wake, upgrade in place, and keep balances, holds, history and idempotent replay;
 * and D1 migration 0017 rebuilds history, operations and events without losing a row; the event log's one table of
 * before is read beside its generations until it empties.
 */
import { applyD1Migrations, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventTables, generationOf, tableOf } from "../src/db/event-generations";
import { eventsPage, forgetOldLogs, queueAgain } from "../src/db/events";
import { eventStatements } from "../src/webhooks/events";
import { historyLines } from "../src/db/history";
import { wholeEvent } from "../src/history/operation-moments";
import { operationsPage } from "../src/db/operations";
import { historyWriterOf, storeOf, tenantObjectOf } from "../src/objects";
import { tenantShards } from "../src/shards/tenant-shards";
import type { Shipment } from "../src/history/projection";
import { account, api, balances, createOperation, createShop, drainOutbox, expectInvariants, idemKey, insertRow, onRecords, shardOf, shardsOver, topUp } from "./helpers";

/** The AccountDO's tables as version 5 made them, filled from what the current ones hold. */
const TO_VERSION_5 = `
CREATE TABLE balances (method TEXT PRIMARY KEY, balance INTEGER NOT NULL);
INSERT INTO balances (method, balance) SELECT j.key, j.value FROM json_each((SELECT balances FROM journal WHERE balances IS NOT NULL ORDER BY seq DESC LIMIT 1)) j;
ALTER TABLE journal RENAME TO journal_now;
CREATE TABLE journal (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, operation_id TEXT NOT NULL, kind TEXT NOT NULL,
  method TEXT NOT NULL, amount INTEGER NOT NULL, balance_after INTEGER NOT NULL,
  store_id TEXT, register_id TEXT, created_at TEXT NOT NULL
);
INSERT INTO journal SELECT seq, id, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at FROM journal_now
  UNION ALL SELECT e.value ->> '$.seq', e.value ->> '$.id', e.value ->> '$.operation_id', e.value ->> '$.kind', e.value ->> '$.method', e.value ->> '$.amount',
    e.value ->> '$.balance_after', e.value ->> '$.store_id', e.value ->> '$.register_id', e.value ->> '$.created_at' FROM journal_now j, json_each(j.more_entries) e;
DROP TABLE journal_now;
INSERT INTO idempotency (operation_id, fingerprint, status, body, created_at) SELECT id, fingerprint, 201, answer, created_at FROM operations WHERE fingerprint IS NOT NULL;
DROP INDEX operations_pending_expiry;
ALTER TABLE operations RENAME TO operations_now;
CREATE TABLE operations (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, card TEXT, expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL, record TEXT NOT NULL
);
INSERT INTO operations SELECT id, status, card, expires_at, created_at, record FROM operations_now;
DROP TABLE operations_now;
CREATE INDEX operations_pending_expiry ON operations(expires_at) WHERE status = 'pending';
ALTER TABLE outbox RENAME TO outbox_now;
CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, ref TEXT NOT NULL, payload TEXT);
INSERT INTO outbox (id, kind, ref, payload) SELECT id, kind, ref, payload FROM outbox_now;
DROP TABLE outbox_now;
UPDATE schema_version SET version = 5;
`;

const sale = (card: string, amount: number) => ({ type: "purchase", card, cheque: { number: "U-1", total: amount }, payments: [{ method: "credit", amount }], accrue_points: true });

describe("objects made before issue 18 upgrade in place", () => {
  it("an AccountDO of version 5 keeps its balances, holds, history and first answers", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const confirmedKey = idemKey();
    const confirmed = await createOperation(shop, sale(shop.card, 1000), confirmedKey);
    expect((await api("POST", `/v1/operations/${confirmed.body.id}/confirm`, { token: shop.terminal })).status).toBe(200);
    await drainOutbox(shop);
    // A pending hold, its create still waiting to ship, and a refused create: what an old object may hold.
    const pendingKey = idemKey();
    const pending = await createOperation(shop, sale(shop.card, 700), pendingKey);
    expect(pending.status).toBe(201);
    const refusedKey = idemKey();
    expect((await createOperation(shop, sale(shop.card, 999_999), refusedKey)).status).toBe(409);
    const before = await balances(shop);
    expect(before.credit).toEqual({ balance: 4000, available: 3300 });
    expect(before.points).toEqual({ balance: 10, available: 10 });
    await runInDurableObject(account(shop), (_, state) => {
      // The create waiting in its row goes back to an outbox row, as version 5 wrote it.
      const waiting = state.storage.sql.exec<{ outbox: string }>("SELECT outbox FROM operations WHERE outbox IS NOT NULL").toArray();
      for (const { outbox } of waiting) state.storage.sql.exec("INSERT INTO outbox (kind, ref, payload) VALUES ('batch', '', ?)", outbox);
      state.storage.sql.exec(TO_VERSION_5);
    });
    const old = await runInDurableObject(account(shop), (_, state) =>
      state.storage.sql.exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE name IN ('outbox', 'balances', 'journal')").toArray(),
    );
    expect(old.find((t) => t.name === "outbox")?.sql).toMatch(/AUTOINCREMENT/);
    expect(old.map((t) => t.name).sort()).toEqual(["balances", "journal", "outbox"]);

    await evictDurableObject(account(shop));
    // Awake again on version 8: the same balances and holds, read from the journal and the pending record.
    expect(await balances(shop)).toEqual(before);
    const tables = await runInDurableObject(account(shop), (_, state) => ({
      version: state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version,
      shapes: state.storage.sql.exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('outbox', 'balances', 'journal', 'operations')").toArray(),
      answers: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM idempotency").one().n,
    }));
    expect(tables.version).toBe(8);
    expect(tables.shapes.map((t) => t.name).sort()).toEqual(["journal", "operations", "outbox"]);
    expect(tables.shapes.find((t) => t.name === "outbox")?.sql).not.toMatch(/AUTOINCREMENT/);
    expect(tables.shapes.find((t) => t.name === "journal")?.sql).not.toMatch(/UNIQUE/);
    expect(tables.shapes.find((t) => t.name === "operations")?.sql).toMatch(/WITHOUT ROWID/);
    // Version 8: where a keyed confirm keeps its first answer.
    expect(tables.shapes.find((t) => t.name === "operations")?.sql).toMatch(/\bconfirm_answer\b/);
    // The refusal stays in idempotency; the made operations' answers moved into their rows.
    expect(tables.answers).toBe(1);

    // Idempotent replay: the first answers, the refusal, and a changed body refused.
    const replayConfirmed = await createOperation(shop, sale(shop.card, 1000), confirmedKey);
    expect([replayConfirmed.status, replayConfirmed.body.id, replayConfirmed.body.status]).toEqual([201, confirmed.body.id, "pending"]);
    expect(replayConfirmed.body).toEqual(confirmed.body);
    expect((await createOperation(shop, sale(shop.card, 700), pendingKey)).body).toEqual(pending.body);
    expect((await createOperation(shop, sale(shop.card, 999_999), refusedKey)).status).toBe(409);
    expect((await createOperation(shop, sale(shop.card, 701), pendingKey)).status).toBe(422);

    // The hold confirms after the upgrade; history in D1 equals the journal.
    expect((await api("POST", `/v1/operations/${pending.body.id}/confirm`, { token: shop.terminal })).status).toBe(200);
    expect(await balances(shop)).toEqual({ credit: { balance: 3300, available: 3300 }, cashback: { balance: 0, available: 0 }, points: { balance: 17, available: 17 } });
    const audit = await expectInvariants(shop);
    expect(audit.journal.map((e) => [e.kind, e.method, e.amount, e.balance_after])).toEqual([
      ["top_up", "credit", 5000, 5000],
      ["accrual", "points", 10, 10],
      ["payment", "credit", -1000, 4000],
      ["accrual", "points", 7, 17],
      ["payment", "credit", -700, 3300],
    ]);
    // The rows of before hold an entry each; the confirm since is one row, its second entry in more_entries.
    const rows = await runInDurableObject(account(shop), (_, state) =>
      state.storage.sql.exec<{ seq: number; kind: string; more: number | null }>("SELECT seq, kind, json_array_length(more_entries) AS more FROM journal ORDER BY seq").toArray(),
    );
    expect(rows.map((r) => [r.kind, r.more])).toEqual([["top_up", null], ["accrual", null], ["payment", null], ["accrual", 1]]);
    const history = await api("GET", `/v1/members/${shop.memberId}/history`, { token: shop.secret });
    expect(history.body.data.map((e: { amount: number }) => e.amount)).toEqual([-700, 7, -1000, 10, 5000]);
  });

  it("a StoreDO of version 4 moves its live key claims into generations and still refuses a reused key", async () => {
    const shop = await createShop();
    const ref = { tenant_id: shop.tenantId, store_id: shop.storeId };
    const store = storeOf(env, ref);
    const now = Date.now();
    await runInDurableObject(store, (_, state) => {
      const sql = state.storage.sql;
      for (const { name } of sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'key_claims_*'").toArray()) sql.exec(`DROP TABLE ${name}`);
      sql.exec("CREATE TABLE key_claims (key TEXT PRIMARY KEY, operation_id TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID");
      sql.exec("CREATE INDEX key_claims_age ON key_claims(created_at)");
      sql.exec("INSERT INTO key_claims VALUES ('fresh', 'op_fresh', ?), ('ancient', 'op_ancient', ?)", now - 60_000, now - 30 * 86_400_000);
      sql.exec("ALTER TABLE outbox RENAME TO outbox_now");
      sql.exec("CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, ref TEXT NOT NULL, payload TEXT)");
      sql.exec("DROP TABLE outbox_now");
      sql.exec("UPDATE schema_version SET version = 4");
    });
    await evictDurableObject(store);
    expect(await store.claimKey(ref, { key: "fresh", operation_id: "op_other", at: now })).toMatchObject({ refused: true, code: "idempotency_key_reused" });
    expect(await store.claimKey(ref, { key: "fresh", operation_id: "op_fresh", at: now })).toBeNull();
    // A claim a month old was past its retention: it went with the old table.
    expect(await store.claimKey(ref, { key: "ancient", operation_id: "op_new", at: now })).toBeNull();
    const tables = await runInDurableObject(store, (_, state) =>
      state.storage.sql.exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND (name GLOB 'key_claims*' OR name = 'outbox')").toArray(),
    );
    expect(tables.some((t) => t.name === "key_claims")).toBe(false);
    expect(tables.find((t) => t.name === "outbox")?.sql).not.toMatch(/AUTOINCREMENT/);
  });
});

describe("D1 migration 0017", () => {
  it("rebuilds history, operations and events keyed by their reads, keeping every row, and a retried shipment adds nothing", async () => {
    const db = env.UPGRADE_DB;
    const before = env.TEST_MIGRATIONS.filter((m) => m.name < "0017");
    const after = env.TEST_MIGRATIONS.filter((m) => m.name >= "0017");
    expect(after.map((m) => m.name).slice(0, 2)).toEqual(["0017_fewer_index_rows.sql", "0018_event_log_generations.sql"]);
    await applyD1Migrations(db, before);
    const t = "ten_upgrade";
    await db.batch([
      db.prepare("INSERT INTO history_entries (id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at) VALUES ('ent_1', ?1, 'mem_1', 1, 'op_1', 'top_up', 'credit', 500, 500, 'sto_1', 'reg_1', '2026-11-30T10:00:00.000Z'), ('ent_2', ?1, 'mem_1', 2, 'op_2', 'payment', 'credit', -200, 300, 'sto_1', 'reg_1', '2026-11-30T11:00:00.000Z')").bind(t),
      db.prepare("INSERT INTO operations (id, tenant_id, member_id, store_id, register_id, type, status, version, body, created_at) VALUES ('op_2', ?1, 'mem_1', 'sto_1', 'reg_1', 'purchase', 'confirmed', 3, '{\"id\":\"op_2\",\"status\":\"confirmed\"}', '2026-11-30T11:00:00.000Z')").bind(t),
      db.prepare("INSERT INTO events (id, tenant_id, type, created_at, payload) VALUES ('evt_1', ?1, 'operation.confirmed', ?2, '{\"id\":\"evt_1\"}')").bind(t, new Date().toISOString()),
    ]);
    await applyD1Migrations(db, after);
    const history = await db.prepare(`SELECT * FROM (${historyLines("h.tenant_id = ?1 AND h.member_id = ?2")}) ORDER BY seq DESC`).bind(t, "mem_1").all<{ id: string; seq: number; amount: number; balance_after: number }>();
    expect(history.results.map((e) => [e.id, e.seq, e.amount, e.balance_after])).toEqual([
      ["ent_2", 2, -200, 300],
      ["ent_1", 1, 500, 500],
    ]);
    expect((await operationsPage(shardsOver(db, t), { limit: 10 })).data).toEqual([{ id: "op_2", status: "confirmed" }]);
    expect((await eventsPage(shardsOver(db, t), { limit: 10 })).data).toEqual([{ id: "evt_1", livemode: true }]);
    // Events logged from now on go into their generation's table; the table of before is listed (and sent again)
    // beside it, and goes 31 days after migration 0018, as the generation does after 41 at most.
    const now = Date.now();
    const evt2 = { id: "evt_2", type: "operation.created", created_at: new Date(now + 1).toISOString(), data: { operation: { id: "op_3" } } };
    const logged = eventStatements(db, t, [{ ...evt2, payload: JSON.stringify(wholeEvent(evt2, true)) }], [evt2], { livemode: true, endpoints: [] });
    await db.batch(logged.statements);
    expect((await eventsPage(shardsOver(db, t), { limit: 10 }, now + 2)).data.map((e: { id?: string }) => e.id)).toEqual(["evt_2", "evt_1"]);
    expect(await eventTables(db)).toEqual({ generations: [generationOf(new Date(now + 1).toISOString())], legacy: true });
    expect(await queueAgain(shardsOver(db, t), "evt_1", "whe_1", 8, now + 2)).toBe(true);
    expect(await queueAgain(shardsOver(db, t), "evt_2", "whe_1", 8, now + 2)).toBe(true);
    expect(await queueAgain(shardsOver(db, t), "evt_9", "whe_1", 8, now + 2)).toBe(false);
    // A retry the old code had written: listed once.
    await db.prepare("INSERT INTO events (id, tenant_id, type, created_at, payload) SELECT id, tenant_id, type, created_at, payload FROM " + tableOf(generationOf(new Date(now + 1).toISOString()))).run();
    expect((await eventsPage(shardsOver(db, t), { limit: 10 }, now + 2)).data.map((e: { id?: string }) => e.id)).toEqual(["evt_2", "evt_1"]);
    await forgetOldLogs(db, t, 8, now + 29 * 86_400_000);
    expect((await eventTables(db)).legacy).toBe(true);
    await forgetOldLogs(db, t, 8, now + 31 * 86_400_000);
    expect((await eventTables(db)).legacy).toBe(false);
    await forgetOldLogs(db, t, 8, now + 42 * 86_400_000);
    expect(await eventTables(db)).toEqual({ generations: [], legacy: false });
    expect((await eventsPage(shardsOver(db, t), { limit: 10 }, now + 42 * 86_400_000)).data).toEqual([]);
    // The same entry shipped again is ignored by its (tenant, member, seq) key; an older version does not replace a newer.
    await db.batch([
      db.prepare("INSERT INTO history_entries (id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, created_at) VALUES ('ent_2', ?1, 'mem_1', 2, 'op_2', 'payment', 'credit', -200, 300, '2026-11-30T11:00:00.000Z') ON CONFLICT DO NOTHING").bind(t),
      db.prepare("INSERT INTO operations (id, tenant_id, member_id, type, status, version, body, created_at) VALUES ('op_2', ?1, 'mem_1', 'purchase', 'pending', 1, '{}', '2026-11-30T11:00:00.000Z') ON CONFLICT(tenant_id, created_at, id) DO UPDATE SET status = excluded.status WHERE excluded.version > operations.version").bind(t),
    ]);
    expect((await db.prepare("SELECT COUNT(*) AS n FROM history_entries WHERE tenant_id = ?").bind(t).first<{ n: number }>())?.n).toBe(2);
    expect((await db.prepare("SELECT status FROM operations WHERE tenant_id = ?").bind(t).first<{ status: string }>())?.status).toBe("confirmed");
  });
});

describe("D1 migration 0022: an operation kept once, its events as moments", () => {
  it("an operation held before it, whose account kept no base, confirms after it: listed once each, as it was", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const held = (await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "U-1", total: 400 }, payments: [{ method: "credit", amount: 400 }], accrue_points: true })).body;
    await drainOutbox(shop);
    // Put back as before: the account's record without a base, D1's row with the whole operation, and the
    // operation.created event logged whole beside it.
    const asHeld = await runInDurableObject(account(shop), (_: unknown, state) => {
      state.storage.sql.exec("UPDATE operations SET record = json_remove(record, '$.base') WHERE id = ?", held.id);
      return (JSON.parse(state.storage.sql.exec<{ record: string }>("SELECT record FROM operations WHERE id = ?", held.id).one().record) as { operation: object }).operation;
    });
    await evictDurableObject(account(shop));
    const d1 = await shardOf(shop.tenantId);
    const createdId = `evt_${held.id.slice(3)}_created`;
    const generation = generationOf(held.created_at);
    await d1.batch([

      d1.prepare(`INSERT INTO ${tableOf(generation)} (id, tenant_id, type, created_at, payload) VALUES (?1, ?2, 'operation.created', ?3, ?4)`).bind(
        createdId,
        shop.tenantId,
        held.created_at,
        JSON.stringify(wholeEvent({ id: createdId, type: "operation.created", created_at: held.created_at, data: { operation: asHeld } }, true)),
      ),
    ]);
    await onRecords(d1, "operations", "UPDATE {table} SET body = ?1, moment = NULL, created_moment = NULL WHERE tenant_id = ?2 AND id = ?3", JSON.stringify(asHeld), shop.tenantId, held.id);
    expect((await api("GET", `/v1/operations?status=pending`, { token: shop.secret })).body.data).toEqual([{ ...asHeld, livemode: true }]);

    const confirmed = (await api("POST", `/v1/operations/${held.id}/confirm`, { token: shop.terminal })).body;
    await drainOutbox(shop);
    const [row] = await onRecords<{ body: string; moment: string }>(d1, "operations", "SELECT body, moment FROM {table} WHERE tenant_id = ? AND id = ?", shop.tenantId, held.id);
    expect(JSON.parse(row!.body)).not.toHaveProperty("status");
    expect(JSON.parse(row!.moment)).toMatchObject({ status: "confirmed" });
    expect((await api("GET", `/v1/operations/${held.id}`, { token: shop.secret })).body).toEqual(confirmed);
    expect((await api("GET", "/v1/operations?status=confirmed&limit=1", { token: shop.secret })).body.data).toEqual([confirmed]);
    const events = (await api("GET", "/v1/events", { token: shop.secret })).body.data.filter((e: { data: { operation?: { id: string } } }) => e.data.operation?.id === held.id);
    expect(events.map((e: { type: string }) => e.type)).toEqual(["operation.confirmed", "operation.created"]);
    const { livemode: _l, ...asConfirmed } = confirmed;
    expect(events[0].data.operation).toEqual({ ...asConfirmed, livemode: true });
    expect(events[1].data.operation).toEqual({ ...asHeld, livemode: true });
  });
});

describe("D1 migration 0023: operations and history in generations, beside the tables of before", () => {
  it("an operation held before it, in the table of before, is confirmed there: one row, listed once, its entries once", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const held = (await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "G-1", total: 400 }, payments: [{ method: "credit", amount: 400 }] })).body;
    await drainOutbox(shop);
    // As before 0023: the held operation's row in `operations`.
    const d1 = await shardOf(shop.tenantId);
    const [row] = await onRecords(d1, "operations", "SELECT * FROM {table} WHERE tenant_id = ? AND id = ?", shop.tenantId, held.id);
    await onRecords(d1, "operations", "DELETE FROM {table} WHERE tenant_id = ? AND id = ?", shop.tenantId, held.id);
    await insertRow(d1, "operations", row);

    const confirmed = (await api("POST", `/v1/operations/${held.id}/confirm`, { token: shop.terminal })).body;
    await drainOutbox(shop);
    const rows = await onRecords<{ status: string }>(d1, "operations", "SELECT status FROM {table} WHERE tenant_id = ? AND id = ?", shop.tenantId, held.id);
    expect(rows).toEqual([{ status: "confirmed" }]);
    expect((await d1.prepare("SELECT status FROM operations WHERE tenant_id = ? AND id = ?").bind(shop.tenantId, held.id).first<{ status: string }>())?.status).toBe("confirmed");
    const listed = (await api("GET", "/v1/operations", { token: shop.secret })).body.data.filter((o: { id: string }) => o.id === held.id);
    expect(listed).toEqual([confirmed]);

    // An entry the table of before has already (a shipment sent again across the deploy) is not written twice.
    const [entry] = await onRecords(d1, "history", "SELECT * FROM {table} WHERE tenant_id = ? AND operation_id = ?", shop.tenantId, held.id);
    await insertRow(d1, "history_entries", entry);
    await onRecords(d1, "history", "DELETE FROM {table} WHERE tenant_id = ? AND operation_id = ? AND seq = ?", shop.tenantId, held.id, entry.seq);
    const shard = (await tenantShards(env, shop.tenantId)).all[0].id;
    const again = { id: entry.id, seq: entry.seq, operation_id: held.id, kind: entry.kind, method: entry.method, amount: entry.amount, balance_after: entry.balance_after, store_id: entry.store_id, register_id: entry.register_id, created_at: entry.created_at };
    const shipped = await historyWriterOf(env, shop.tenantId, shard).write(shard, { tenant_id: shop.tenantId, member_id: shop.memberId, operations: [], entries: [again], cards: [], alerts: [], events: [], audits: [] } as unknown as Shipment);
    expect(shipped).toEqual({ written: true });
    expect(await onRecords(d1, "history", "SELECT id FROM {table} WHERE tenant_id = ? AND operation_id = ?", shop.tenantId, held.id)).toEqual([{ id: entry.id }]);
    await expectInvariants(shop);
  });
});

describe("a TenantDO of version 3 upgrades in place", () => {
  it("its one SMS hour becomes the tills' budget (sms_per_hour); sign-in codes start a budget of their own", async () => {
    const shop = await createShop();
    const tenant = tenantObjectOf(env, shop.tenantId);
    const now = Date.now();
    const hour = Math.floor(now / 3_600_000) * 3_600_000;
    await runInDurableObject(tenant, (_, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE IF EXISTS sms_budgets");
      sql.exec("CREATE TABLE sms_budget (id INTEGER PRIMARY KEY CHECK (id = 1), start INTEGER NOT NULL, sent INTEGER NOT NULL, alerted INTEGER NOT NULL)");
      sql.exec("INSERT INTO sms_budget VALUES (1, ?, 2, 0)", hour);
      sql.exec("UPDATE schema_version SET version = 3");
    });
    await evictDurableObject(tenant);
    // Two SMS of the till were sent this hour: a budget of 2 refuses the third; sign-in codes are not touched.
    expect(await tenant.sms(shop.tenantId, "sms_per_hour", 2, true, now)).toMatchObject({ code: "rate_limited", details: { budget: "sms_per_hour" } });
    expect(await tenant.sms(shop.tenantId, "sms_signin_per_hour", 2, true, now)).toBeNull();
    const tables = await runInDurableObject(tenant, (_, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'sms_budget*'").toArray().map((t) => t.name),
    );
    expect(tables).toEqual(["sms_budgets"]);
  });
});
