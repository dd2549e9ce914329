/**
 * How long a day's archive takes to make (`npm run bench:capacity` runs this inside workerd, on the bench Worker,
 * through bench/cost.config.ts):
 * a tenant's day of PURCHASES purchases written straight into its shard (each an operation row and a history row of
 * two entries, as the projection writes them), then `writeDayArchive` — pages of each shard merged in order, gzip,
 * R2 parts — timed, and the object read back to check every line is in it. Prints `ARCHIVE_RESULT {…}`.
 */
import { env, exports } from "cloudflare:workers";
import { expect, test } from "vitest";
import { archiveKey, writeDayArchive } from "../src/archive/day-archive";
import { makeRecordTable, recordTable } from "../src/db/record-tables";
import { generationOf } from "../src/db/event-generations";
import { jsonChunks } from "../src/lib/json-chunks";
import { tenantShards } from "../src/shards/tenant-shards";

const PURCHASES = 50_000;
const DATE = "2026-01-10";
const START = `${DATE}T00:00:00.000Z`;

test("a day's archive", { timeout: 600_000 }, async () => {
  const made = await exports.default.fetch(
    new Request("https://tillsafe.test/v1/tenants", {
      method: "POST",
      headers: { authorization: "Bearer test-platform-token", "content-type": "application/json" },
      body: JSON.stringify({ name: "Archive", currency: "USD", timezone: "UTC" }),
    }),
  );
  const tenantId = ((await made.json()) as { tenant: { id: string } }).tenant.id;
  const d1 = (await tenantShards(env, tenantId)).all[0].d1;
  const g = generationOf(START);
  await d1.batch([...makeRecordTable(d1, "operations", g), ...makeRecordTable(d1, "history", g)]);
  const at = (i: number) => new Date(Date.parse(START) + Math.floor((i * 86_000_000) / PURCHASES)).toISOString();
  const rows = Array.from({ length: PURCHASES }, (_, i) => {
    const id = `op_${String(i).padStart(32, "0")}`;
    const member = `mem_${String(i % 997).padStart(16, "0")}`;
    return {
      id,
      member,
      at: at(i),
      body: { status: "pending", updated_at: at(i), expires_at: at(i), confirmed_at: null, cancelled_at: null, card: "7200000000000001", cheque: { number: `C-${i}`, total: 1000 }, payments: [{ method: "credit", amount: 1000 }], accrue_points: true, accrual: { points: 10 }, authorization: { method: "none", status: "not_required" } },
      moment: { status: "confirmed", updated_at: at(i), confirmed_at: at(i) },
      more: [{ id: `ent_${i}b`, seq: 2 * i + 2, kind: "payment", method: "credit", amount: -1000, balance_after: 1 }],
    };
  });
  for (const chunk of jsonChunks(rows)) {
    await d1.batch([
      d1
        .prepare(
          `INSERT INTO ${recordTable("operations", g)} (id, tenant_id, member_id, store_id, register_id, type, status, version, body, moment, created_at)
           SELECT r.value ->> '$.id', ?2, r.value ->> '$.member', 'sto_1', 'reg_1', 'purchase', 'confirmed', 2, r.value -> '$.body', r.value -> '$.moment', r.value ->> '$.at'
           FROM json_each(?1) r`,
        )
        .bind(chunk, tenantId),
      d1
        .prepare(
          `INSERT INTO ${recordTable("history", g)} (id, tenant_id, member_id, seq, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at, more_entries)
           SELECT 'ent_' || r.key || 'a', ?2, r.value ->> '$.member', r.key * 2 + 1, r.value ->> '$.id', 'accrual', 'points', 10, 10, 'sto_1', 'reg_1', r.value ->> '$.at', r.value -> '$.more'
           FROM json_each(?1) r`,
        )
        .bind(chunk, tenantId),
    ]);
  }
  const began = performance.now();
  expect(await writeDayArchive(env, tenantId, DATE, { start: START, end: `2026-01-11T00:00:00.000Z` }, { final: true })).toBe("made");
  const ms = performance.now() - began;
  const kept = await env.ARCHIVE.get(archiveKey(tenantId, DATE));
  let lines = 0;
  const decoder = new TextDecoder();
  for await (const chunk of kept!.body.pipeThrough(new DecompressionStream("gzip"))) lines += (decoder.decode(chunk, { stream: true }).match(/\n/g) ?? []).length;
  expect(lines).toBe(PURCHASES * 3);
  const result = { purchases: PURCHASES, lines, rows: PURCHASES * 2, gzip_bytes: kept!.size, seconds: Math.round(ms) / 1000, rows_per_second: Math.round((PURCHASES * 2) / (ms / 1000)) };
  console.log(`ARCHIVE_RESULT ${JSON.stringify(result)}`);
});
