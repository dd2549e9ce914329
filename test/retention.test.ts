/**
 * history_retention_days: each tenant's back office shows its own window; a shard's operations and history leave D1
 * a 10-day generation at a time, by dropping whole tables, once the longest retention of its tenants has passed and
 * every day in them is archived in R2.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { datesBefore, datesOf, dropPastRetention, generationsPast } from "../src/archive/retention";
import { archiveKey } from "../src/archive/day-archive";
import { generationOf } from "../src/db/event-generations";
import { makeRecordTable, recordGenerations, recordTable } from "../src/db/record-tables";
import { forgetTenant } from "../src/db/tenants";
import { forgetPlace, tenantShards } from "../src/shards/tenant-shards";
import { api, createShop, drainOutbox, expectError, insertRow, onRecords, ORIGIN, topUp, type Shop } from "./helpers";

const DAY_MS = 86_400_000;

/** Moves a shop's rows (operations and history) `days` back in time, into that time's generation tables. */
async function ageRows(shop: Shop, days: number) {
  const d1 = (await tenantShards(env, shop.tenantId)).all[0].d1;
  const then = new Date(Date.now() - days * DAY_MS).toISOString();
  const old = generationOf(then);
  await d1.batch([...makeRecordTable(d1, "operations", old), ...makeRecordTable(d1, "history", old)]);
  for (const kind of ["operations", "history"] as const) {
    const rows = await onRecords(d1, kind, "SELECT * FROM {table} WHERE tenant_id = ?", shop.tenantId);
    await onRecords(d1, kind, "DELETE FROM {table} WHERE tenant_id = ?", shop.tenantId);
    for (const row of rows) await insertRow(d1, recordTable(kind, old), { ...row, created_at: then });
  }
  await env.DB.prepare("UPDATE tenants SET created_at = ? WHERE id = ?").bind(new Date(Date.now() - (days + 5) * DAY_MS).toISOString(), shop.tenantId).run();
  forgetTenant(shop.tenantId);
  return { d1, then, old };
}

async function keep(shop: Shop, days: number) {
  const changed = await api("PATCH", "/v1/settings", { token: shop.secret, body: { history_retention_days: days } });
  expect(changed.status).toBe(200);
  expect(changed.body.history_retention_days).toBe(days);
  forgetPlace(shop.tenantId);
}

const listed = async (shop: Shop) => (await api("GET", "/v1/operations", { token: shop.secret })).body.data.map((o: { id: string }) => o.id);

describe("retention (pure)", () => {
  it("a generation is past once its last day is older than the longest retention and a day", () => {
    const now = Date.parse("2026-12-08T00:00:00.000Z");
    // The generation holding the moment 91 days ago still has rows inside 90 days and a day; the one before has none.
    const g = generationOf(new Date(now - 91 * DAY_MS).toISOString());
    expect(generationsPast([g - 1, g, g + 1], 90, now)).toEqual([g - 1]);
    expect(generationsPast([g - 1, g], 400, now)).toEqual([]);
    // Exactly when its last moment is 91 days old, and not a millisecond before.
    const end = g * 10 * DAY_MS;
    expect(generationsPast([g - 1], 90, end + 91 * DAY_MS)).toEqual([g - 1]);
    expect(generationsPast([g - 1], 90, end + 91 * DAY_MS - 1)).toEqual([]);
  });

  it("walks the days of before date by date, the 23-hour day of a clock change included", () => {
    // Berlin's clocks go forward on 29 March 2026: that day has 23 hours, and none is skipped.
    expect(datesBefore("2026-03-27T22:30:00.000Z", "2026-03-31T22:00:00.000Z", "Europe/Berlin")).toEqual(["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"]);
    // Only days wholly before the cut: the 31st ends at 22:00 UTC (midnight in Berlin), so a cut an hour earlier stops at the 30th.
    expect(datesBefore("2026-03-27T22:30:00.000Z", "2026-03-31T21:00:00.000Z", "Europe/Berlin")).toEqual(["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]);
  });

  it("names every calendar date a generation touches in the tenant's time zone", () => {
    const g = generationOf("2026-08-01T00:00:00.000Z");
    const utc = datesOf(g, "UTC");
    expect(utc).toHaveLength(10);
    // Ahead of UTC, the generation starts late on one date and ends early on another: eleven dates.
    expect(datesOf(g, "Australia/Sydney")).toHaveLength(11);
  });
});

describe("history_retention_days", () => {
  it("is a setting of 30 to 400 days, 90 by default", async () => {
    const shop = await createShop();
    expect((await api("GET", "/v1/settings", { token: shop.secret })).body.history_retention_days).toBe(90);
    for (const days of [29, 401, 90.5]) {
      const refused = await api("PATCH", "/v1/settings", { token: shop.secret, body: { history_retention_days: days } });
      expectError(refused, 400, "invalid_request");
    }
    await keep(shop, 400);
  });

  it("shows each tenant its own window; archives, then drops a generation past the shard's longest retention", async () => {
    const [shop, neighbour] = [await createShop(), await createShop()];
    // Both on one shard.
    const shard = (await tenantShards(env, shop.tenantId)).all[0].id;
    await env.DB.prepare("UPDATE tenants SET placement = ? WHERE id = ?").bind(JSON.stringify([{ starts_at: "", shards: [shard] }]), neighbour.tenantId).run();
    forgetPlace(neighbour.tenantId);
    const sale = await topUp(shop, 1250);
    await drainOutbox(shop);
    const { d1, then, old } = await ageRows(shop, 120);

    // 120 days ago: outside the 90 days shown, inside 400.
    expect(await listed(shop)).toEqual([]);
    await keep(shop, 400);
    expect(await listed(shop)).toEqual([sale.id]);

    // Back to 90, but the neighbour on the shard keeps 400: the generation is not past the shard's longest retention.
    // (Each run below is the first of its hour: the writers' own runs in the background are put aside.)
    const run = async (at: number) => {
      await d1.prepare("UPDATE retention_runs SET ran_at = 0").run();
      return dropPastRetention(env, shard, at);
    };
    await keep(shop, 90);
    await keep(neighbour, 400);
    const now = Date.now();
    expect(await run(now)).toEqual([]);
    expect(await recordGenerations(d1)).toMatchObject({ operations: expect.arrayContaining([old]) });
    // The neighbour back to 90: it goes, its days archived first. A second run within the hour does nothing.
    await keep(neighbour, 90);
    expect(await dropPastRetention(env, shard, now + 1000)).toEqual([]);
    expect(await run(now + 2000)).toEqual([old]);
    const generations = await recordGenerations(d1);
    expect([generations.operations.includes(old), generations.history.includes(old)]).toEqual([false, false]);
    // The day is in R2, with the sale and its entry; the back office downloads it.
    const date = new Date(Date.parse(then)).toLocaleDateString("en-CA", { timeZone: "Australia/Sydney" });
    expect(await env.ARCHIVE.head(archiveKey(shop.tenantId, date))).not.toBeNull();
    const file = await exports.default.fetch(new Request(`${ORIGIN}/v1/exports?date=${date}`, { headers: { authorization: `Bearer ${shop.secret}` } }));
    expect(file.status).toBe(200);
    const lines = (await new Response(file.body!.pipeThrough(new DecompressionStream("gzip"))).text()).split("\n").filter(Boolean).map((line) => JSON.parse(line));
    expect(lines.map((l: { record: string; amount: number }) => [l.record, l.amount])).toEqual([
      ["operation", 1250],
      ["entry", 1250],
    ]);
    // The day was archived for good as its rows left (an archive downloaded earlier would have been made again).
    expect((await env.ARCHIVE.head(archiveKey(shop.tenantId, date)))?.customMetadata?.final).toBe("true");
    // Run again: nothing more to drop. The member's own history is whole: the account holds the journal.
    expect(await run(now + 3000)).toEqual([]);
    const history = (await api("GET", `/v1/members/${shop.memberId}/history`, { token: shop.secret })).body.data;
    expect(history.map((e: { amount: number }) => e.amount)).toEqual([1250]);
  });

  it("archives, then deletes, the rows of before the generations past retention, a day at a time", async () => {
    const shop = await createShop();
    const sale = await topUp(shop, 700);
    await drainOutbox(shop);
    const { d1, then } = await ageRows(shop, 120);
    // As before migration 0023: the rows in the tables of before.
    for (const [kind, table] of [["operations", "operations"], ["history", "history_entries"]] as const) {
      const rows = await onRecords(d1, kind, "SELECT * FROM {table} WHERE tenant_id = ?", shop.tenantId);
      await onRecords(d1, kind, "DELETE FROM {table} WHERE tenant_id = ?", shop.tenantId);
      for (const row of rows) await insertRow(d1, table, row);
    }
    const shard = (await tenantShards(env, shop.tenantId)).all[0].id;
    const before = async () => (await d1.prepare("SELECT (SELECT COUNT(*) FROM operations WHERE tenant_id = ?1) + (SELECT COUNT(*) FROM history_entries WHERE tenant_id = ?1) AS n").bind(shop.tenantId).first<{ n: number }>())!.n;
    expect(await before()).toBe(2);
    await d1.prepare("UPDATE retention_runs SET ran_at = 0").run();
    await dropPastRetention(env, shard);
    expect(await before()).toBe(0);
    const date = new Date(Date.parse(then)).toLocaleDateString("en-CA", { timeZone: "Australia/Sydney" });
    const kept = await env.ARCHIVE.get(archiveKey(shop.tenantId, date));
    expect(kept?.customMetadata?.final).toBe("true");
    const lines = (await new Response(kept!.body.pipeThrough(new DecompressionStream("gzip"))).text()).split("\n").filter(Boolean).map((line) => JSON.parse(line));
    expect(lines.map((l: { record: string; id?: string; operation_id?: string }) => [l.record, l.record === "operation" ? l.id : l.operation_id])).toEqual([
      ["operation", sale.id],
      ["entry", sale.id],
    ]);
  });
});
