#!/usr/bin/env node
// `npm run bench:capacity`: what one purchase leaves in D1. Starts the bench Worker (bench/server.mjs), makes a shop
// with MEMBERS members, waits for their set-up to ship, then runs PAIRS purchase pairs (a create and a confirm, each
// with an Idempotency-Key as a careful till sends them; a credit payment earning points) spread over the members, waits until D1 has them all,
// and reads the local D1 file with SQLite's own `dbstat` before and after: bytes per pair by table (its indexes
// included) and rows per pair. It prints them, how many purchases one 10 GB D1 database holds at that rate, and
// writes them into bench/results.json under `capacity`.
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

/** The local D1 database's SQLite file under the server's state directory. */
function d1File(state) {
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
  if (files.length !== 1) throw new Error(`expected one D1 database, found ${files.length}`);
  return files[0];
}

/** Each table's bytes (its own pages and its indexes') and rows; the event log's generation tables count as one. */
function tables(file) {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const owner = new Map(db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')").all().map((r) => [r.name, r.tbl_name]));
    const group = (table) => (/^events_\d+$/.test(table) ? "events (generations)" : table);
    const result = {};
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

const worker = await startWorker();
try {
  const base = worker.base;
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
  const file = d1File(worker.state);
  const before = tables(file);

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
  const after = tables(file);

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
  };
  console.log(`${"table".padEnd(24)}${"bytes/pair".padStart(12)}${"rows/pair".padStart(11)}`);
  for (const [table, grown] of Object.entries(perPair).sort((a, b) => b[1].bytes - a[1].bytes)) {
    console.log(`${table.padEnd(24)}${String(grown.bytes).padStart(12)}${String(grown.rows).padStart(11)}`);
  }
  console.log(`${"all".padEnd(24)}${String(capacity.bytes_per_pair).padStart(12)}${String(capacity.rows_per_pair).padStart(11)}`);
  console.log(`One 10 GB D1 database holds about ${(capacity.purchases_per_10gb_database / 1e6).toFixed(2)} million purchases at this rate.`);
  const resultsFile = join(here, "results.json");
  const results = JSON.parse(readFileSync(resultsFile, "utf8"));
  results.capacity = capacity;
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
} finally {
  worker.stop();
}
