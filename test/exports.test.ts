/**
 * GET /v1/exports: a day's archive, made once in R2 after the day is over, handed out as gzip NDJSON to a secret key
 * or the owner; 404 export_not_found for a day not over yet or before the business existed.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { forgetTenant } from "../src/db/tenants";
import { archiveKey, writeDayArchive } from "../src/archive/day-archive";
import { tenantShards } from "../src/shards/tenant-shards";
import { mergeAscending } from "../src/archive/day-lines";
import { equalParts, putInParts } from "../src/archive/r2-parts";
import { api, drainOutbox, expectError, onRecords, shardOf, staffCookie, topUp, createShop, ORIGIN } from "./helpers";

const DAY_MS = 86_400_000;
/** A date in the shop's time zone (Australia/Sydney), `days` before today. */
const sydneyDate = (days: number) => new Date(Date.now() - days * DAY_MS).toLocaleDateString("en-CA", { timeZone: "Australia/Sydney" });

const download = (token: string | null, date: string, cookie?: string) =>
  exports.default.fetch(new Request(`${ORIGIN}/v1/exports?date=${date}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(cookie ? { cookie } : {}) } }));

async function lines(response: Response): Promise<Record<string, unknown>[]> {
  const text = await new Response(response.body!.pipeThrough(new DecompressionStream("gzip"))).text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("GET /v1/exports", () => {
  it("hands out a past day's operations and entries as gzip NDJSON, made once in R2; today and before the business: 404", async () => {
    const shop = await createShop();
    // The business is four days old; a top-up of three days ago (its rows moved back in time on its shard).
    await env.DB.prepare("UPDATE tenants SET created_at = ? WHERE id = ?").bind(new Date(Date.now() - 4 * DAY_MS).toISOString(), shop.tenantId).run();
    forgetTenant(shop.tenantId);
    const sale = await topUp(shop, 1250);
    await drainOutbox(shop);
    const then = new Date(Date.now() - 3 * DAY_MS).toISOString();
    const shard = await shardOf(shop.tenantId);
    await onRecords(shard, "operations", "UPDATE {table} SET created_at = ? WHERE tenant_id = ?", then, shop.tenantId);
    await onRecords(shard, "history", "UPDATE {table} SET created_at = ? WHERE tenant_id = ?", then, shop.tenantId);
    const day = sydneyDate(3);

    // Asked twice at once: made once (in the tenant's object), and both get the same file.
    const [first, twin] = await Promise.all([download(shop.secret, day), download(shop.secret, day)]);
    expect([first.status, twin.status]).toEqual([200, 200]);
    expect(first.headers.get("content-type")).toBe("application/gzip");
    expect(first.headers.get("content-disposition")).toBe(`attachment; filename="tillsafe-${day}.ndjson.gz"`);
    const records = await lines(first);
    expect(await lines(twin)).toEqual(records);
    expect(records.map((r) => [r.record, r.id, r.type ?? r.kind, r.amount])).toEqual([
      ["operation", sale.id, "top_up", 1250],
      ["entry", expect.stringMatching(/^ent_/), "top_up", 1250],
    ]);
    expect(records[1]).toMatchObject({ operation_id: sale.id, member_id: shop.memberId, balance_after: 1250, method: "credit" });
    // Kept in R2: asked again, the same object, even after D1 changed.
    expect(await env.ARCHIVE.head(archiveKey(shop.tenantId, day))).not.toBeNull();
    await onRecords(shard, "history", "DELETE FROM {table} WHERE tenant_id = ?", shop.tenantId);
    expect((await lines(await download(shop.secret, day))).map((r) => r.record)).toEqual(["operation", "entry"]);

    // The owner downloads it in the console; a manager may not.
    expect((await download(null, day, await staffCookie(shop, "owner"))).status).toBe(200);
    const manager = await download(null, day, await staffCookie(shop, "manager"));
    expect([manager.status, ((await manager.json()) as { error: { code: string } }).error.code]).toEqual([403, "forbidden"]);

    // Today is not over; a day before the business existed has no archive; neither is made.
    expectError(await api("GET", `/v1/exports?date=${sydneyDate(0)}`, { token: shop.secret }), 404, "export_not_found");
    expectError(await api("GET", `/v1/exports?date=${sydneyDate(6)}`, { token: shop.secret }), 404, "export_not_found");
    expect(await env.ARCHIVE.head(archiveKey(shop.tenantId, sydneyDate(0)))).toBeNull();
    expectError(await api("GET", "/v1/exports?date=2026-02-30", { token: shop.secret }), 400, "invalid_request");

    // The console's end of day: the owner gets the link for a day that is over, and a word for today; a manager neither.
    const page = async (date: string, role: "owner" | "manager") =>
      (await exports.default.fetch(new Request(`${ORIGIN}/console/report?date=${date}`, { headers: { cookie: await staffCookie(shop, role) } }))).text();
    expect(await page(day, "owner")).toContain(`<a href="/v1/exports?date=${day}" download="" id="download-archive">`);
    expect(await page(sydneyDate(0), "owner")).toContain(`id="archive-later"`);
    for (const date of [day, sydneyDate(0)]) expect(await page(date, "manager")).not.toMatch(/download-archive|archive-later/);
  });

  it("a day with an operation still pending in the records is not archived yet: 404, and nothing is kept", async () => {
    const shop = await createShop();
    await env.DB.prepare("UPDATE tenants SET created_at = ? WHERE id = ?").bind(new Date(Date.now() - 4 * DAY_MS).toISOString(), shop.tenantId).run();
    forgetTenant(shop.tenantId);
    await topUp(shop, 500);
    await drainOutbox(shop);
    const then = new Date(Date.now() - 3 * DAY_MS).toISOString();
    const shard = await shardOf(shop.tenantId);
    // As if its end had not reached the records yet.
    await onRecords(shard, "operations", "UPDATE {table} SET created_at = ?, status = 'pending' WHERE tenant_id = ?", then, shop.tenantId);
    expectError(await api("GET", `/v1/exports?date=${sydneyDate(3)}`, { token: shop.secret }), 404, "export_not_found");
    expect(await env.ARCHIVE.head(archiveKey(shop.tenantId, sydneyDate(3)))).toBeNull();
  });
});

describe("a day's archive of any size", () => {
  it("goes into R2 in equal parts without being held whole, and a short one in one put", async () => {
    const bytes = new Uint8Array(11 * 1024 * 1024 + 123);
    for (let at = 0; at < bytes.length; at += 65_536) crypto.getRandomValues(bytes.subarray(at, Math.min(at + 65_536, bytes.length)));
    // Fed in uneven chunks, as gzip hands them out.
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 700_001) controller.enqueue(bytes.slice(at, at + 700_001));
          controller.close();
        },
      });
    const sizes: number[] = [];
    for await (const part of equalParts(stream(), 5 * 1024 * 1024)) sizes.push(part.length);
    expect(sizes).toEqual([5 * 1024 * 1024, 5 * 1024 * 1024, 1024 * 1024 + 123]);
    await putInParts(env.ARCHIVE, "test/parts.bin", stream(), { customMetadata: { made_at: "now" } }, 5 * 1024 * 1024);
    const digest = async (data: ArrayBuffer | Uint8Array) => Buffer.from(await crypto.subtle.digest("SHA-256", data)).toString("hex");
    const kept = await env.ARCHIVE.get("test/parts.bin");
    const back = await kept!.arrayBuffer();
    expect([back.byteLength, await digest(back)]).toEqual([bytes.length, await digest(bytes)]);
    await putInParts(env.ARCHIVE, "test/short.bin", new Blob([bytes.subarray(0, 10)]).stream(), {}, 5 * 1024 * 1024);
    expect([...new Uint8Array(await (await env.ARCHIVE.get("test/short.bin"))!.arrayBuffer())]).toEqual([...bytes.subarray(0, 10)]);
  });

  it("a stream that fails keeps nothing under the key", async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("D1 went away"));
      },
    });
    await expect(putInParts(env.ARCHIVE, "test/failed.bin", failing, {}, 5 * 1024 * 1024)).rejects.toThrow("D1 went away");
    expect(await env.ARCHIVE.head("test/failed.bin")).toBeNull();
  });

  it("merges the shards' rows in (created_at, id) order, holding one row of each", async () => {
    async function* of(rows: [string, string][]) {
      for (const [created_at, id] of rows) yield { created_at, id };
    }
    const merged = [];
    for await (const row of mergeAscending([of([["a", "1"], ["b", "2"], ["d", "1"]]), of([]), of([["a", "0"], ["c", "9"], ["d", "0"]])])) merged.push(`${row.created_at}${row.id}`);
    expect(merged).toEqual(["a0", "a1", "b2", "c9", "d0", "d1"]);
  });
});

describe("a day's archive when a shard fails", () => {
  it("is not made: shard_unavailable (the route's 503), and nothing is kept", async () => {
    const shop = await createShop();
    const [shard] = (await tenantShards(env, shop.tenantId)).all;
    const refusing = { prepare: () => ({ bind: () => ({ first: () => Promise.reject(new Error("D1_ERROR: not answering")), all: () => Promise.reject(new Error("D1_ERROR: not answering")) }) }) };
    const sick = { ...env, [`SHARD_${shard.id.slice("shard-".length)}`]: refusing } as typeof env;
    const made = await writeDayArchive(sick, shop.tenantId, "2026-01-01", { start: "2026-01-01T00:00:00.000Z", end: "2026-01-02T00:00:00.000Z" });
    expect(made).toBe("shard_unavailable");
    expect(await env.ARCHIVE.head(archiveKey(shop.tenantId, "2026-01-01"))).toBeNull();
  });
});
