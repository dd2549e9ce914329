/** The journal is the truth; D1 history is its projection, shipped through the outbox, newest first. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { shipOutbox, type OutboxRow } from "../src/history/outbox";
import type { AccountDO } from "../src/accounts/account-do";
import { account, api, asMember, captureWarnings, countRecords, createOperation, createShop, onRecords, d1WithBatch, drainOutbox, expectError, expectInvariants, memberCookie, shardOf, topUp, writerUsesDb } from "./helpers";

describe("history", () => {
  it("reads its writes: right after a confirm answers, both histories show it, while D1 has none of it yet", async () => {
    const shop = await createShop();
    const cookie = await memberCookie(shop);
    // D1 refuses every shipment: what the history shows can only come from the account.
    await writerUsesDb(shop, d1WithBatch(async () => { throw new Error("D1 is down"); }, await shardOf(shop.tenantId)));
    const warnings = captureWarnings(/outbox shipment failed .*D1 is down/);
    await topUp(shop, 15000);
    const sale = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "H-0", total: 4700 }, payments: [{ method: "credit", amount: 4700 }], accrue_points: true });
    expect((await api("POST", `/v1/operations/${sale.body.id}/confirm`, { token: shop.terminal })).status).toBe(200);
    const expected = [
      ["payment", "credit", -4700, 10300],
      ["accrual", "points", 47, 47],
      ["top_up", "credit", 15000, 15000],
    ];
    const backOffice = await api("GET", `/v1/members/${shop.memberId}/history`, { token: shop.secret });
    expect(backOffice.body.data.map((e: any) => [e.kind, e.method, e.amount, e.balance_after])).toEqual(expected);
    const mine = await asMember(cookie, "GET", "/v1/me/history?limit=2");
    expect(mine.body.data.map((e: any) => [e.kind, e.method, e.amount, e.balance_after])).toEqual(expected.slice(0, 2));
    const older = await asMember(cookie, "GET", `/v1/me/history?limit=2&cursor=${mine.body.next_cursor}`);
    expect(older.body.data.map((e: any) => [e.kind, e.amount])).toEqual([["top_up", 15000]]);
    const inD1 = { n: await countRecords(await shardOf(shop.tenantId), "history", "member_id = ?", shop.memberId) };
    expect(inD1!.n).toBe(0);
    // Once D1 takes the shipment, each entry is still listed once.
    await writerUsesDb(shop);
    warnings.restore();
    await drainOutbox(shop);
    const after = await api("GET", `/v1/members/${shop.memberId}/history`, { token: shop.secret });
    expect(after.body.data.map((e: any) => [e.kind, e.method, e.amount, e.balance_after])).toEqual(expected);
    await expectInvariants(shop);
  });

  it("lists entries newest first with signed amounts and balance_after, paginated", async () => {
    const shop = await createShop();
    await topUp(shop, 15000);
    const sale = await createOperation(shop, {
      type: "purchase",
      card: shop.card,
      cheque: { number: "H-1", total: 5650 },
      payments: [{ method: "credit", amount: 5650 }],
      accrue_points: true,
    });
    await api("POST", `/v1/operations/${sale.body.id}/confirm`, { token: shop.terminal });
    await drainOutbox(shop);

    const page = await api("GET", `/v1/members/${shop.memberId}/history?limit=2`, { token: shop.secret });
    expect(page.status).toBe(200);
    expect(page.body.data.map((e: any) => [e.kind, e.method, e.amount, e.balance_after])).toEqual([
      ["payment", "credit", -5650, 9350],
      ["accrual", "points", 56, 56],
    ]);
    expect(Object.keys(page.body.data[0]).sort()).toEqual(
      ["amount", "balance_after", "created_at", "id", "kind", "livemode", "method", "operation_id", "register_id", "store_id"].sort(),
    );
    expect(page.body.data[0]).toMatchObject({ operation_id: sale.body.id, store_id: shop.storeId, register_id: shop.registerId });
    expect(page.body.next_cursor).toEqual(expect.any(String));
    const rest = await api("GET", `/v1/members/${shop.memberId}/history?limit=2&cursor=${page.body.next_cursor}`, { token: shop.secret });
    expect(rest.body.data.map((e: any) => [e.kind, e.amount, e.balance_after])).toEqual([["top_up", 15000, 15000]]);
    expect(rest.body.next_cursor).toBeNull();
    // The purchase's two entries share one row in D1; a page of one entry stops between them and goes on.
    const shard = await shardOf(shop.tenantId);
    const rows = { results: await onRecords<{ kind: string; more_entries: string | null }>(shard, "history", "SELECT kind, more_entries FROM {table} WHERE tenant_id = ? AND operation_id = ?", shop.tenantId, sale.body.id) };
    expect(rows.results.map((r) => [r.kind, JSON.parse(r.more_entries ?? "[]").map((e: { kind: string; amount: number }) => [e.kind, e.amount])])).toEqual([["accrual", [["payment", -5650]]]]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const one: any = await api("GET", `/v1/members/${shop.memberId}/history?limit=1${cursor ? `&cursor=${cursor}` : ""}`, { token: shop.secret });
      seen.push(...one.body.data.map((e: { kind: string }) => e.kind));
      cursor = one.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(["payment", "accrual", "top_up"]);
    await expectInvariants(shop);
  });

  it("shipping the same outbox rows twice adds nothing: D1 still equals the journal", async () => {
    const shop = await createShop();
    await topUp(shop, 700);
    await topUp(shop, 300, "points");
    await drainOutbox(shop);
    // Rebuild the rows the outbox held (the alarm has shipped them already) and ship them again, as a retry would.
    const { journal } = await account(shop).audit();
    const rows: OutboxRow[] = journal.flatMap((entry, i) => [
      { id: 2 * i + 1, kind: "entry" as const, ref: entry.id, payload: JSON.stringify(entry) },
      { id: 2 * i + 2, kind: "operation" as const, ref: entry.operation_id, payload: null },
    ]);
    await runInDurableObject(account(shop), async (_instance: AccountDO, state) => {
      const loadRecord = (id: string) => {
        const row = state.storage.sql.exec("SELECT record FROM operations WHERE id = ?", id).toArray()[0];
        return row ? JSON.parse(row.record as string) : null;
      };
      await shipOutbox(env, { tenant_id: shop.tenantId, member_id: shop.memberId }, rows, { operation: loadRecord, card: () => null });
      await shipOutbox(env, { tenant_id: shop.tenantId, member_id: shop.memberId }, rows, { operation: loadRecord, card: () => null });
    });
    const shippedOps = { n: await countRecords(await shardOf(shop.tenantId), "operations", "tenant_id = ?", shop.tenantId) };
    expect(shippedOps?.n).toBe(2);
    const audit = await expectInvariants(shop);
    expect(audit.journal).toHaveLength(2);
  });

  it("when D1 fails the outbox keeps its rows and the next alarm ships them", async () => {
    const shop = await createShop();
    await drainOutbox(shop);
    const unavailable = {
      prepare() {
        throw new Error("D1 is unavailable");
      },
      batch() {
        throw new Error("D1 is unavailable");
      },
    };
    await writerUsesDb(shop, unavailable);
    const warnings = captureWarnings(/outbox shipment failed/);
    await topUp(shop, 900);
    await runInDurableObject(account(shop), (instance: AccountDO) => instance.alarm());
    expect(warnings.caught[0]).toBe("outbox shipment failed (attempt 1): Error: D1 is unavailable");
    warnings.restore();
    expect((await account(shop).audit()).outboxSize).toBeGreaterThan(0);
    const shipped = { n: await countRecords(await shardOf(shop.tenantId), "history", "tenant_id = ?", shop.tenantId) };
    expect(shipped?.n).toBe(0);
    await writerUsesDb(shop);
    await runInDurableObject(account(shop), (instance: AccountDO) => instance.alarm());
    const audit = await expectInvariants(shop);
    expect(audit.outboxSize).toBe(0);
    expect(audit.journal.map((e) => [e.kind, e.amount])).toEqual([["top_up", 900]]);
  });

  it("the operations list is the shipped projection, newest first, with filters", async () => {
    const shop = await createShop();
    const first = await topUp(shop, 1000);
    const pending = await createOperation(shop, {
      type: "purchase",
      card: shop.card,
      cheque: { number: "H-2", total: 500 },
      payments: [{ method: "credit", amount: 500 }],
    });
    await drainOutbox(shop);
    const all = await api("GET", "/v1/operations", { token: shop.secret });
    expect(all.body.data.map((o: any) => [o.id, o.status])).toEqual([
      [pending.body.id, "pending"],
      [first.id, "confirmed"],
    ]);
    const onlyPending = await api("GET", `/v1/operations?status=pending&store_id=${shop.storeId}&member_id=${shop.memberId}`, { token: shop.secret });
    expect(onlyPending.body.data.map((o: any) => o.id)).toEqual([pending.body.id]);
    expectError(await api("GET", "/v1/operations?status=weird", { token: shop.secret }), 400, "invalid_request");
  });

  it("an unknown member has no history", async () => {
    const shop = await createShop();
    expectError(await api("GET", "/v1/members/mem_0000000000000000/history", { token: shop.secret }), 404, "member_not_found");
  });

  it("one shipment queues each confirmed operation once for the endpoints subscribed to it, and for no other", async () => {
    const shop = await createShop();
    const posted: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
      posted.push(String(init?.body));
      return new Response("ok");
    });
    const subscribed = await api("POST", "/v1/webhook-endpoints", { token: shop.secret, body: { url: "https://hooks.example/ops", events: ["operation.confirmed"] } });
    const alertsOnly = await api("POST", "/v1/webhook-endpoints", { token: shop.secret, body: { url: "https://hooks.example/alerts", events: ["alert.raised"] } });
    expect([subscribed.status, alertsOnly.status]).toEqual([201, 201]);
    // Three top-ups land in the outbox before its alarm: they ship together.
    const confirmed = [await topUp(shop, 100), await topUp(shop, 200), await topUp(shop, 300)];
    await drainOutbox(shop);
    const rows = (
      await (await shardOf(shop.tenantId)).prepare("SELECT event_id, endpoint_id, type, payload FROM webhook_deliveries WHERE tenant_id = ? ORDER BY event_id")
        .bind(shop.tenantId)
        .all<{ event_id: string; endpoint_id: string; type: string; payload: string }>()
    ).results;
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => row.event_id)).toEqual(confirmed.map((op) => `evt_${op.id.slice(3)}`).sort());
    for (const row of rows) {
      expect(row.endpoint_id).toBe(subscribed.body.id);
      expect(row.type).toBe("operation.confirmed");
      const event = JSON.parse(row.payload);
      expect(event).toMatchObject({ id: row.event_id, type: "operation.confirmed", data: { operation: { id: `op_${row.event_id.slice(4)}`, status: "confirmed" } } });
    }
    const amounts = rows.map((row) => JSON.parse(row.payload).data.operation.amount).sort((a, b) => a - b);
    expect(amounts).toEqual([100, 200, 300]);
    // The tenant's sender posts each one once (and nothing is left in flight when the test ends).
    const hooks = env.WEBHOOKS.get(env.WEBHOOKS.idFromName(shop.tenantId));
    const undelivered = async () =>
      (await (await shardOf(shop.tenantId)).prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE tenant_id = ? AND delivered_at IS NULL").bind(shop.tenantId).first<{ n: number }>())!.n;
    for (let i = 0; i < 50 && (await undelivered()) > 0; i++) await runDurableObjectAlarm(hooks);
    expect(await undelivered()).toBe(0);
    expect(posted.map((body) => JSON.parse(body).id).sort()).toEqual(rows.map((row) => row.event_id));
    vi.restoreAllMocks();
  });
});
