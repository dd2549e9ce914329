#!/usr/bin/env node
// `npm run bench:capacity`: what one purchase leaves in D1. Starts the bench Worker (bench/server.mjs), makes a shop
// with MEMBERS members, waits for their set-up to ship, then runs PAIRS purchase pairs (a create and a confirm, each
// with an Idempotency-Key as a careful till sends them; a credit payment earning points) spread over the members, waits until D1 has them all,
// and reads the local D1 files (the directory and the four shards) with SQLite's own `dbstat` before and after: bytes
// per pair by table (its indexes included) and rows per pair. Then SPREAD_TENANTS more tenants, placed by the
// directory, each run SPREAD_PAIRS pairs: each shard's share of that load (max ÷ mean), and what each shard holds at
// its fullest at the design load (docs/capacity.md) on the number of shards it needs, retention applied. Last, how long
// a day's archive of 50,000 purchases takes (bench/archive.bench.ts, inside workerd). It prints them and writes them
// into bench/results.json under `capacity`.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { call, PLATFORM, startWorker } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const PAIRS = Number(process.env.CAPACITY_PAIRS ?? 1000);
const MEMBERS = Number(process.env.CAPACITY_MEMBERS ?? 50);
const LANES = 8;
const D1_LIMIT_BYTES = 10 * 1e9;

/** The local D1 databases' SQLite files under the server's state directory: the directory and the shards. */
function d1Files(state) {
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  const holdsOperations = (f) => {
    const db = new DatabaseSync(f, { readOnly: true });
    try {
      return db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'operations'").all().length > 0;
    } finally {
      db.close();
    }
  };
  const files = walk(join(state, "v3", "d1")).filter((f) => f.endsWith(".sqlite") && statSync(f).size > 0 && holdsOperations(f));
  if (files.length !== 5) throw new Error(`expected five D1 databases (DB and four shards), found ${files.length}`);
  return files;
}

/** Bytes in each file (what grows is the shards; the directory's file is the one whose tenants table has rows). */
function fileBytes(files) {
  return files.map((file) => {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const bytes = db.prepare("SELECT SUM(pgsize) AS bytes FROM dbstat").get().bytes;
      const directory = db.prepare("SELECT COUNT(*) AS n FROM tenants").get().n > 0;
      return { file, bytes, directory };
    } finally {
      db.close();
    }
  });
}

/** Each table's bytes (its own pages and its indexes') and rows over every file; the event log's generations count as one. */
function tables(files) {
  const result = {};
  for (const file of files) tablesOf(file, result);
  return result;
}

function tablesOf(file, result) {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const owner = new Map(db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')").all().map((r) => [r.name, r.tbl_name]));
    const group = (table) => (/^events_\d+$/.test(table) ? "events (generations)" : /^operations_\d+$/.test(table) ? "operations (generations)" : /^history_\d+$/.test(table) ? "history (generations)" : table);
    for (const { name, bytes } of db.prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name").all()) {
      const table = group(owner.get(name) ?? name);
      if (table.startsWith("sqlite_") || table.startsWith("_cf_") || table === "d1_migrations") continue;
      result[table] ??= { bytes: 0, rows: 0 };
      result[table].bytes += bytes;
    }
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()) {
      const table = group(name);
      if (!result[table]) continue;
      result[table].rows += db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get().n;
    }
    return result;
  } finally {
    db.close();
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until D1 lists `expected` confirmed operations: every shipment of the run is in. */
async function untilShipped(base, sk, expected) {
  for (let i = 0; i < 200; i++) {
    if ((await countConfirmed(base, sk)) >= expected) return;
    await sleep(250);
  }
  throw new Error("D1 did not get every pair");
}

async function countConfirmed(base, sk) {
  let count = 0;
  let cursor = null;
  do {
    const page = await call(base, "GET", `/v1/operations?status=confirmed&limit=100${cursor ? `&cursor=${cursor}` : ""}`, { token: sk });
    count += page.body.data.length;
    cursor = page.body.next_cursor;
  } while (cursor);
  return count;
}

/**
 * The design load of docs/capacity.md: 31 M purchases a day, history kept hot 90 days, a shard filled to 8 GB. Rows
 * leave D1 a 10-day generation at a time, a day after their retention: at its fullest a shard holds 41 days of events
 * (30 + 10 + 1) and 101 of operations and history (90 + 10 + 1).
 */
const DESIGN_PURCHASES_A_DAY = 31_000_000;
const DESIGN_HOT_DAYS = 90;
const EVENT_DAYS = 30;
const GENERATION_DAYS = 10;
const SHARD_USABLE_BYTES = 8e9;
const SPREAD_TENANTS = Number(process.env.SPREAD_TENANTS ?? 8);
const SPREAD_PAIRS = Number(process.env.SPREAD_PAIRS ?? 100);

/**
 * SPREAD_TENANTS tenants, each placed by the directory on the least filled shard, run SPREAD_PAIRS pairs each: how
 * the shards share the load, and — were the design load spread the same way over the shards it needs — the days
 * until each is full (with 90 days hot, more than 90 means it never fills).
 */
async function spreadLoad(base, files) {
  const before = fileBytes(files);
  const shops = [];
  for (let t = 0; t < SPREAD_TENANTS; t++) {
    const tenant = await call(base, "POST", "/v1/tenants", { token: PLATFORM, body: { name: `Spread ${t}`, currency: "USD", timezone: "UTC" } });
    const sk = tenant.body.secret_key;
    const store = await call(base, "POST", "/v1/stores", { token: sk, body: { name: "Store" } });
    const tk = (await call(base, "POST", `/v1/stores/${store.body.id}/registers`, { token: sk, body: { name: "Till" } })).body.terminal_key;
    const member = await call(base, "POST", "/v1/members", { token: sk, body: { name: "Member", phone: "+61400000000" } });
    const card = `73${String(t).padStart(14, "0")}`;
    await call(base, "POST", `/v1/members/${member.body.id}/cards`, { token: sk, body: { number: card } });
    const topUp = await call(base, "POST", "/v1/operations", { token: tk, key: `spread-top-up-${t}`, body: { type: "top_up", card, method: "credit", amount: 10_000_000 } });
    await call(base, "POST", `/v1/operations/${topUp.body.id}/confirm`, { token: tk });
    shops.push({ sk, tk, card });
  }
  await Promise.all(
    shops.map(async (shop, t) => {
      for (let i = 0; i < SPREAD_PAIRS; i++) {
        const created = await call(base, "POST", "/v1/operations", { token: shop.tk, key: `spread-${t}-${i}`, body: { type: "purchase", card: shop.card, cheque: { number: `S-${i}`, total: 1000 }, payments: [{ method: "credit", amount: 1000 }], accrue_points: true } });
        await call(base, "POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.tk, key: `spread-confirm-${t}-${i}` });
      }
    }),
  );
  for (const shop of shops) await untilShipped(base, shop.sk, SPREAD_PAIRS + 1);
  const after = fileBytes(files);
  const grown = after.filter((f) => !f.directory).map((f) => f.bytes - before.find((b) => b.file === f.file).bytes);
  const total = grown.reduce((a, b) => a + b, 0);
  const shares = grown.map((g) => g / total);
  const mean = 1 / shares.length;
  return { tenants: SPREAD_TENANTS, pairs_each: SPREAD_PAIRS, shares: shares.map((x) => Math.round(x * 1000) / 1000), max_over_mean: Math.round((Math.max(...shares) / mean) * 100) / 100 };
}

/**
 * The shards the design load needs at steady state (at its fullest: events 41 days, the rest 101), and — were it
 * spread over them as the shares say — what each holds then (retention keeps it there: src/archive/retention.ts).
 */
function atDesignLoad(spread, bytesPerPair, byTable) {
  const eventBytes = byTable["events (generations)"]?.bytes ?? 0;
  const eventDays = EVENT_DAYS + GENERATION_DAYS + 1;
  const hotDays = DESIGN_HOT_DAYS + GENERATION_DAYS + 1;
  const steadyBytes = eventBytes * eventDays + (bytesPerPair - eventBytes) * hotDays;
  const designShards = Math.ceil((DESIGN_PURCHASES_A_DAY * steadyBytes) / SHARD_USABLE_BYTES);
  const perShard = (share) => (DESIGN_PURCHASES_A_DAY * steadyBytes * share * spread.shares.length) / designShards;
  const perShardADay = (share) => (DESIGN_PURCHASES_A_DAY * bytesPerPair * share * spread.shares.length) / designShards;
  const fullest = spread.shares.map(perShard);
  return {
    ...spread,
    design_shards: designShards,
    steady_gb: fullest.map((bytes) => Math.round(bytes / 1e8) / 10),
    // Never, when a shard at its fullest stays below the 10 GB limit; and, were nothing to leave D1, the days it would take.
    days_until_full: fullest.map((bytes) => (bytes < D1_LIMIT_BYTES ? null : 0)),
    days_until_full_if_nothing_left: spread.shares.map((share) => Math.floor(D1_LIMIT_BYTES / perShardADay(share))),
  };
}

const worker = await startWorker();
try {
  const base = worker.base;
  // The spread first, on empty shards: the tenants it places are the whole load of the platform.
  const files = d1Files(worker.state);
  const spread = await spreadLoad(base, files);
  const tenant = await call(base, "POST", "/v1/tenants", { token: PLATFORM, body: { name: "Capacity", currency: "USD", timezone: "UTC" } });
  const sk = tenant.body.secret_key;
  const store = await call(base, "POST", "/v1/stores", { token: sk, body: { name: "Capacity store" } });
  const tk = (await call(base, "POST", `/v1/stores/${store.body.id}/registers`, { token: sk, body: { name: "Till" } })).body.terminal_key;
  const cards = [];
  for (let i = 0; i < MEMBERS; i++) {
    const member = await call(base, "POST", "/v1/members", { token: sk, body: { name: `Member ${i}`, phone: "+61400000000" } });
    const card = `72${String(i).padStart(14, "0")}`;
    await call(base, "POST", `/v1/members/${member.body.id}/cards`, { token: sk, body: { number: card } });
    const topUp = await call(base, "POST", "/v1/operations", { token: tk, key: `capacity-top-up-${i}`, body: { type: "top_up", card, method: "credit", amount: 10_000_000 } });
    await call(base, "POST", `/v1/operations/${topUp.body.id}/confirm`, { token: tk });
    cards.push(card);
  }
  await untilShipped(base, sk, MEMBERS);
  const before = tables(files);

  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      for (let i = next++; i < PAIRS; i = next++) {
        const card = cards[i % cards.length];
        const created = await call(base, "POST", "/v1/operations", {
          token: tk,
          key: `capacity-${i}`,
          body: { type: "purchase", card, cheque: { number: `C-${i}`, total: 1000 }, payments: [{ method: "credit", amount: 1000 }], accrue_points: true },
        });
        if (created.status !== 201) throw new Error(`create ${created.status} ${JSON.stringify(created.body)}`);
        const confirmed = await call(base, "POST", `/v1/operations/${created.body.id}/confirm`, { token: tk, key: `capacity-confirm-${i}` });
        if (confirmed.status !== 200) throw new Error(`confirm ${confirmed.status}`);
      }
    }),
  );
  await untilShipped(base, sk, MEMBERS + PAIRS);
  const after = tables(files);

  const perPair = {};
  let bytes = 0;
  let rows = 0;
  for (const [table, now] of Object.entries(after)) {
    const was = before[table] ?? { bytes: 0, rows: 0 };
    const grown = { bytes: (now.bytes - was.bytes) / PAIRS, rows: (now.rows - was.rows) / PAIRS };
    if (grown.bytes === 0 && grown.rows === 0) continue;
    perPair[table] = { bytes: Math.round(grown.bytes), rows: Math.round(grown.rows * 100) / 100 };
    bytes += grown.bytes;
    rows += grown.rows;
  }
  const capacity = {
    measured_at: Date.now(),
    pairs: PAIRS,
    members: MEMBERS,
    bytes_per_pair: Math.round(bytes),
    rows_per_pair: Math.round(rows * 100) / 100,
    by_table: perPair,
    purchases_per_10gb_database: Math.round(D1_LIMIT_BYTES / bytes),
    spread: atDesignLoad(spread, bytes, perPair),
  };
  console.log(`${"table".padEnd(24)}${"bytes/pair".padStart(12)}${"rows/pair".padStart(11)}`);
  for (const [table, grown] of Object.entries(perPair).sort((a, b) => b[1].bytes - a[1].bytes)) {
    console.log(`${table.padEnd(24)}${String(grown.bytes).padStart(12)}${String(grown.rows).padStart(11)}`);
  }
  console.log(`${"all".padEnd(24)}${String(capacity.bytes_per_pair).padStart(12)}${String(capacity.rows_per_pair).padStart(11)}`);
  console.log(`One 10 GB D1 database holds about ${(capacity.purchases_per_10gb_database / 1e6).toFixed(2)} million purchases at this rate.`);
  const shared = capacity.spread;
  console.log(`Spread load: ${shared.tenants} tenants × ${shared.pairs_each} pairs; each shard's share ${shared.shares.map((x) => `${Math.round(x * 100)} %`).join(", ")} (max ÷ mean ${shared.max_over_mean})`);
  console.log(
    `At the design load (${(DESIGN_PURCHASES_A_DAY / 1e6).toFixed(0)} M purchases a day) on the ${shared.design_shards} shards it needs (events kept ${EVENT_DAYS} days, the rest ${DESIGN_HOT_DAYS}, each leaving a 10-day generation at a time), each shard at its fullest holds, in GB (of 8 usable, 10 the limit): ${shared.steady_gb.join(", ")}; days until full: ${shared.days_until_full.map((d) => d ?? "never").join(", ")} (were nothing to leave D1: ${shared.days_until_full_if_nothing_left.join(", ")})`,
  );
  // A day's archive of 50,000 purchases, made inside workerd (bench/archive.bench.ts): how long, and at what rate.
  const vitest = join(here, "..", "node_modules", "vitest", "vitest.mjs");
  const archived = spawnSync(process.execPath, [vitest, "run", "--config", join(here, "cost.config.ts")], { encoding: "utf8", env: { ...process.env, COST_FILE: "archive.bench.ts", FORCE_COLOR: "0" } });
  const archiveLine = (archived.stdout + archived.stderr).split("\n").find((l) => l.includes("ARCHIVE_RESULT "));
  if (archived.status !== 0 || !archiveLine) throw new Error(`the archive bench failed:\n${archived.stdout}${archived.stderr}`);
  capacity.archive = JSON.parse(archiveLine.slice(archiveLine.indexOf("ARCHIVE_RESULT ") + "ARCHIVE_RESULT ".length));
  const largestDayRows = 2 * 1_000_000;
  console.log(
    `A day's archive: ${capacity.archive.purchases.toLocaleString("en")} purchases (${capacity.archive.rows.toLocaleString("en")} rows, ${capacity.archive.lines.toLocaleString("en")} lines, ${(capacity.archive.gzip_bytes / 1e6).toFixed(1)} MB gzipped) in ${capacity.archive.seconds} s, ${capacity.archive.rows_per_second.toLocaleString("en")} rows a second; the largest tenant's day (1 M purchases) at that rate: ${Math.round(largestDayRows / capacity.archive.rows_per_second)} s`,
  );
  const resultsFile = join(here, "results.json");
  const results = JSON.parse(readFileSync(resultsFile, "utf8"));
  results.capacity = capacity;
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
} finally {
  worker.stop();
}
