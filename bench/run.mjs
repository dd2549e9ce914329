#!/usr/bin/env node
// `npm run bench`: runs the bench Worker (bench/worker.ts) under `wrangler dev` on this machine with a fresh state
// directory, drives load from this process, and reports medians of several runs:
//   (1) ceiling      no-op request → Worker → Durable Object RPC that does nothing
//       ceiling_shaped   the same no-op, in requests shaped like (2)'s: a create's headers and body, a confirm's
//                    headers, answers of their sizes (what wrangler dev's proxy and the driver spend on the shape)
//   (2) hot_account  create + confirm pairs on one member account
//   (3) spread       the same on 1,000 accounts
//   (4) approval     request → member socket receives → approve → the cashier's long poll returns (p50/p99)
//   (5) plain_d1     the same hold + confirm on a plain-D1 ledger with conditional UPDATEs (no Durable Objects),
//                    keeping (2)'s contract: credential, schema, Idempotency-Key, journal (bench/plain-d1.ts)
//       plain_d1_bare    the conditional UPDATEs alone
//   (6) live         hold → alert, confirm → event, confirm → webhook, sign-out → socket closed (p50/p99), while
//                    pairs run on (3)'s accounts in the background (bench/live.mjs)
// It prints `hot_account_ratio <(2) requests/s ÷ (1) requests/s>`, writes bench/results.json and bench/results.svg.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { liveLatencies } from "./live.mjs";
import { call, PLATFORM, startWorker, stateRoot } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_APPROVAL_ROUNDS ?? 150);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/**
 * CPU time (ms) so far of the server's processes, by role: `proxy` is wrangler's workerd that listens on the port we
 * asked for and forwards to `worker` (the workerd running the bench Worker, every Durable Object and the local D1);
 * `wrangler` is its node process and helpers.
 */
function serverCpu(root, port) {
  const procs = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      procs.push({ pid: Number(entry), ppid: Number(fields[1]), name, ms: (Number(fields[11]) + Number(fields[12])) * 10 });
    } catch {
      // gone meanwhile
    }
  }
  const mine = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (mine.has(p.ppid) && !mine.has(p.pid)) grew = mine.add(p.pid) !== null;
  }
  const role = (p) => {
    if (p.name !== "workerd") return "wrangler";
    try {
      const args = readFileSync(`/proc/${p.pid}/cmdline`, "utf8").split("\0");
      return args.some((arg) => arg.startsWith("--socket-addr=") && arg.endsWith(`:${port}`)) ? "proxy" : "worker";
    } catch {
      return "worker";
    }
  };
  const totals = {};
  for (const p of procs) if (mine.has(p.pid)) totals[role(p)] = (totals[role(p)] ?? 0) + p.ms;
  return totals;
}

let serverPid = 0;
let serverPort = 0;

/** Runs `unit` on `concurrency` lanes for `seconds`; a unit returns how many requests it made. */
async function drive(seconds, concurrency, unit) {
  const until = performance.now() + seconds * 1000;
  const cpuBefore = serverPid ? serverCpu(serverPid, serverPort) : {};
  const driverBefore = process.cpuUsage();
  let requests = 0;
  let units = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      let n = 0;
      while (performance.now() < until) {
        try {
          const made = await unit(lane, n++);
          requests += made;
          units += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const driver = process.cpuUsage(driverBefore);
  // CPU milliseconds per request, by process: where each scenario's cost goes on this machine.
  const cpu = { driver: (driver.user + driver.system) / 1000 / requests };
  for (const [role, ms] of Object.entries(serverPid ? serverCpu(serverPid, serverPort) : {})) cpu[role] = (ms - (cpuBefore[role] ?? 0)) / requests;
  return { rps: requests / elapsed, ups: units / elapsed, errors, cpu };
}

let serial = 0;
const nextKey = () => `bench-${process.pid}-${++serial}`;

async function setupTenant(base, { approval = [] } = {}) {
  const tenant = await call(base, "POST", "/v1/tenants", { token: PLATFORM, body: { name: "Bench", currency: "USD", timezone: "UTC" } });
  const sk = tenant.body.secret_key;
  if (approval.length) await call(base, "PATCH", "/v1/settings", { token: sk, body: { approval_required_for: approval } });
  const store = await call(base, "POST", "/v1/stores", { token: sk, body: { name: "Bench store" } });
  const register = await call(base, "POST", `/v1/stores/${store.body.id}/registers`, { token: sk, body: { name: "Bench till" } });
  return { tenantId: tenant.body.tenant.id, sk, tk: register.body.terminal_key };
}

async function member(base, shop, card, credit) {
  const created = await call(base, "POST", "/v1/members", { token: shop.sk, body: { name: "Member", phone: "+61400000000" } });
  await call(base, "POST", `/v1/members/${created.body.id}/cards`, { token: shop.sk, body: { number: card } });
  const topUp = await call(base, "POST", "/v1/operations", { token: shop.tk, key: nextKey(), body: { type: "top_up", card, method: "credit", amount: credit } });
  await call(base, "POST", `/v1/operations/${topUp.body.id}/confirm`, { token: shop.tk });
  return created.body.id;
}

const purchase = (card) => ({ type: "purchase", card, cheque: { number: "B", total: 1 }, payments: [{ method: "credit", amount: 1 }] });

/** One create + confirm pair, on Tillsafe (`/v1/operations`) or on the plain-D1 peer (`/bench/d1/operations`). */
async function holdAndConfirm(base, shop, card, path = "/v1/operations") {
  const created = await call(base, "POST", path, { token: shop.tk, key: nextKey(), body: purchase(card) });
  if (created.status !== 201) throw new Error(`create ${created.status}`);
  const confirmed = await call(base, "POST", `${path}/${created.body.id}/confirm`, { token: shop.tk });
  if (confirmed.status !== 200) throw new Error(`confirm ${confirmed.status}`);
  return 2;
}

async function approvalRoundTrips(base) {
  const shop = await setupTenant(base, { approval: ["credit"] });
  const memberId = await member(base, shop, "7000000000000001", 1_000_000);
  const link = await call(base, "POST", `/v1/members/${memberId}/portal-sessions`, { token: shop.sk });
  const portal = await fetch(`${base}${new URL(link.body.url).pathname}`, { redirect: "manual" });
  const cookie = portal.headers.get("set-cookie").split(";")[0];
  const token = cookie.split("=")[1];
  const socket = new WebSocket(`${base.replace("http", "ws")}/v1/me/events`, { headers: { cookie, origin: base } });
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  let waiting = null;
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "approval_request" && waiting) waiting(message.request);
  });
  const latencies = [];
  for (let i = 0; i < ROUNDS; i++) {
    const created = await call(base, "POST", "/v1/operations", {
      token: shop.tk,
      key: nextKey(),
      body: { type: "purchase", card: "7000000000000001", cheque: { number: "A", total: 100 }, payments: [{ method: "credit", amount: 100 }] },
    });
    const op = created.body;
    const started = performance.now();
    const received = new Promise((resolve) => (waiting = resolve));
    const poll = call(base, "GET", `/v1/operations/${op.id}?wait=30&since=${encodeURIComponent(op.updated_at)}`, { token: shop.tk });
    await call(base, "POST", `/v1/operations/${op.id}/approval-requests`, { token: shop.tk, body: { resend: false } });
    let answered = await poll;
    const request = await received;
    await call(base, "POST", `/v1/me/approval-requests/${request.id}/approve`, { token });
    // The first poll returned when the request went out (authorization pending); the next one returns on the answer.
    while (answered.body.authorization.status !== "approved") {
      answered = await call(base, "GET", `/v1/operations/${op.id}?wait=30&since=${encodeURIComponent(answered.body.updated_at)}`, { token: shop.tk });
    }
    latencies.push(performance.now() - started);
    await call(base, "POST", `/v1/operations/${op.id}/cancel`, { token: shop.tk });
  }
  socket.close();
  return { p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99), rounds: latencies.length };
}

function svg(results) {
  const scenarios = [
    ["(1) no-op DO request", results.ceiling],
    ["no-op, shaped as (2)", results.ceiling_shaped],
    ["bare DO write", results.bare_write],
    ["(2) hot account", results.hot_account],
    ["(3) 1,000 accounts", results.spread],
    ["(5) plain D1 ledger", results.plain_d1],
    ["plain D1, bare", results.plain_d1_bare],
  ];
  const width = 800;
  // Rows below the throughput bars move down with their number.
  const shift = (scenarios.length - 5) * 38;
  const maxRps = Math.max(...scenarios.map(([, s]) => s.rps));
  const throughput = scenarios
    .map(([label, s], i) => {
      const y = 50 + i * 38;
      const w = Math.max(2, (s.rps / maxRps) * 420);
      return `<text x="10" y="${y + 20}" font-size="14">${label}</text><rect x="200" y="${y}" width="${w.toFixed(1)}" height="26" fill="#0b6e4f"/><text x="${(208 + w).toFixed(1)}" y="${y + 20}" font-size="14">${s.rps.toFixed(0)} req/s</text>`;
    })
    .join("");
  const a = results.approval;
  const lat = Math.max(a.p99_ms, 1);
  const latency = [
    ["p50", a.p50_ms],
    ["p99", a.p99_ms],
  ]
    .map(([label, value], i) => {
      const y = shift + 270 + i * 36;
      const w = Math.max(2, (value / lat) * 420);
      return `<text x="10" y="${y + 18}" font-size="14">(4) approval ${label}</text><rect x="200" y="${y}" width="${w.toFixed(1)}" height="24" fill="#b38a1e"/><text x="${(208 + w).toFixed(1)}" y="${y + 18}" font-size="14">${value.toFixed(1)} ms</text>`;
    })
    .join("");
  // CPU per request by process, stacked: where each scenario's cost goes on this machine.
  const parts = [
    ["driver", "#9aa5b1"],
    ["proxy", "#5b7083"],
    ["worker", "#0b6e4f"],
  ];
  const cpuOf = (s) => parts.map(([who]) => s.cpu_ms_per_request?.[who] ?? 0);
  const maxCpu = Math.max(...scenarios.map(([, s]) => cpuOf(s).reduce((x, y) => x + y, 0)));
  const cpu = scenarios
    .map(([label, s], i) => {
      const y = shift + 400 + i * 32;
      let x = 200;
      const segments = cpuOf(s)
        .map((ms, k) => {
          const w = (ms / maxCpu) * 360;
          const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="22" fill="${parts[k][1]}"/>`;
          x += w;
          return rect;
        })
        .join("");
      const total = cpuOf(s).reduce((p, q) => p + q, 0);
      return `<text x="10" y="${y + 16}" font-size="14">${label}</text>${segments}<text x="${(x + 8).toFixed(1)}" y="${y + 16}" font-size="13">${total.toFixed(2)} ms (worker ${cpuOf(s)[2].toFixed(2)})</text>`;
    })
    .join("");
  // Below the CPU rows: the legend, then the ratios.
  const end = shift + 400 + scenarios.length * 32;
  const legend = parts.map(([who, color], k) => `<rect x="${200 + k * 110}" y="${end + 4}" width="12" height="12" fill="${color}"/><text x="${216 + k * 110}" y="${end + 15}" font-size="12">${who}</text>`).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${end + 60}" font-family="system-ui, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="28" font-size="17" font-weight="bold">Tillsafe bench (medians of ${results.settings.runs} runs, ${results.settings.concurrency} clients, one machine, state ${results.settings.state_dir === "/dev/shm" ? "in memory" : `in ${results.settings.state_dir}`})</text>
${throughput}
<text x="10" y="${shift + 258}" font-size="15" font-weight="bold">Approval round trip: request → member socket → approve → long poll returns</text>
${latency}
<text x="10" y="${shift + 388}" font-size="15" font-weight="bold">CPU ms per request, by process (all three share the machine's two cores)</text>
${cpu}
${legend}
<text x="10" y="${end + 44}" font-size="12" fill="#555">hot_account_ratio ${results.hot_account_ratio.toFixed(2)} (against the shaped no-op: ${results.shaped_ratio.toFixed(2)}) · ${new Date(results.measured_at).toISOString()}</text>
</svg>
`;
}

/**
 * The plain-D1 peer must keep the contract it is compared on, or (5) would measure less work than (2): a retry holds
 * nothing more, the key reused for another card is 422, a second confirm moves nothing, and the journal has both entries (the payment and its points accrual).
 */
async function checkPeer(base, shop) {
  const expect = (what, actual, wanted) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) throw new Error(`plain-D1 peer: ${what} is ${JSON.stringify(actual)}, not ${JSON.stringify(wanted)}`);
  };
  const [card, other] = ["8000000000000098", "8000000000000099"];
  for (const account of [card, other]) await call(base, "POST", "/bench/d1/open", { body: { account, balance: 10 } });
  const key = nextKey();
  const first = await call(base, "POST", "/bench/d1/operations", { token: shop.tk, key, body: purchase(card) });
  const again = await call(base, "POST", "/bench/d1/operations", { token: shop.tk, key, body: purchase(card) });
  const elsewhere = await call(base, "POST", "/bench/d1/operations", { token: shop.tk, key, body: purchase(other) });
  expect("a create, its retry, the key on another card", [first.status, again.status, again.body.id === first.body.id, elsewhere.status, elsewhere.body.error?.code], [201, 201, true, 422, "idempotency_key_reused"]);
  expect("the account after a create and its retry", (await call(base, "POST", "/bench/d1/account", { body: { account: card } })).body, { balance: 10, held: 1, points: 0, entries: 0 });
  const confirms = [];
  for (let i = 0; i < 2; i++) confirms.push((await call(base, "POST", `/bench/d1/operations/${first.body.id}/confirm`, { token: shop.tk })).status);
  expect("two confirms", confirms, [200, 200]);
  expect("the account after them", (await call(base, "POST", "/bench/d1/account", { body: { account: card } })).body, { balance: 9, held: 0, points: 0, entries: 2 });
  expect("the other card", (await call(base, "POST", "/bench/d1/account", { body: { account: other } })).body, { balance: 10, held: 0, points: 0, entries: 0 });
  const without = await call(base, "POST", "/bench/d1/operations", { body: purchase(card) });
  expect("a create without a credential", without.status, 401);
}

async function main(base) {
  console.log(`bench: ${RUNS} runs × ${SECONDS}s, ${CONCURRENCY} concurrent clients, against ${base}`);
  const hot = await setupTenant(base);
  await member(base, hot, "8000000000000001", 1_000_000_000);
  const spreadShop = await setupTenant(base);
  const cards = Array.from({ length: ACCOUNTS }, (_, i) => `81${String(i).padStart(14, "0")}`);
  const spreadMembers = [];
  for (let i = 0; i < cards.length; i += 50) {
    spreadMembers.push(...(await Promise.all(cards.slice(i, i + 50).map((card) => member(base, spreadShop, card, 1_000_000)))));
  }
  // Steady state for (3): every account has been touched just before the window, as under sustained load (an idle
  // object is evicted after about 10 s, which the other scenarios' runs in between exceed).
  const warmSpread = async () => {
    for (let i = 0; i < spreadMembers.length; i += CONCURRENCY) {
      await Promise.all(spreadMembers.slice(i, i + CONCURRENCY).map(async (id) => {
        const read = await call(base, "GET", `/v1/members/${id}`, { token: spreadShop.sk });
        if (read.status !== 200) throw new Error(`warm ${read.status}`);
      }));
    }
  };
  await call(base, "POST", "/bench/d1/open", { body: { account: "hot", balance: 1_000_000_000 } });
  await call(base, "POST", "/bench/d1/open", { body: { account: "8000000000000001", balance: 1_000_000_000 } });
  await checkPeer(base, hot);

  // The sizes of a real create's and confirm's answers, for the shaped no-op to answer with.
  const sample = await call(base, "POST", "/v1/operations", { token: hot.tk, key: nextKey(), body: purchase("8000000000000001") });
  const sampleConfirm = await call(base, "POST", `/v1/operations/${sample.body.id}/confirm`, { token: hot.tk });
  const answerBytes = { create: JSON.stringify(sample.body).length, confirm: JSON.stringify(sampleConfirm.body).length };

  const scenarios = {
    ceiling: () => drive(SECONDS, CONCURRENCY, async () => {
      const response = await fetch(`${base}/bench/noop`);
      await response.arrayBuffer();
      if (!response.ok) throw new Error(String(response.status));
      return 1;
    }),
    ceiling_shaped: () => drive(SECONDS, CONCURRENCY, async () => {
      const created = await call(base, "POST", `/bench/noop?bytes=${answerBytes.create}`, { token: hot.tk, key: nextKey(), body: purchase("8000000000000001") });
      if (created.status !== 200) throw new Error(String(created.status));
      const confirmed = await call(base, "POST", `/bench/noop?bytes=${answerBytes.confirm}`, { token: hot.tk });
      if (confirmed.status !== 200) throw new Error(String(confirmed.status));
      return 2;
    }),
    bare_write: () => drive(SECONDS, CONCURRENCY, async () => {
      const response = await fetch(`${base}/bench/write`, { method: "POST" });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(String(response.status));
      return 1;
    }),
    hot_account: () => drive(SECONDS, CONCURRENCY, () => holdAndConfirm(base, hot, "8000000000000001")),
    spread: () => drive(SECONDS, CONCURRENCY, (lane, n) => holdAndConfirm(base, spreadShop, cards[(lane * 7919 + n * 31) % cards.length])),
    plain_d1: () => drive(SECONDS, CONCURRENCY, () => holdAndConfirm(base, hot, "8000000000000001", "/bench/d1/operations")),
    plain_d1_bare: () => drive(SECONDS, CONCURRENCY, async () => {
      const id = nextKey();
      const held = await call(base, "POST", "/bench/d1/hold", { body: { account: "hot", id, amount: 1 } });
      if (held.status !== 201) throw new Error("hold");
      await call(base, "POST", "/bench/d1/confirm", { body: { id } });
      return 2;
    }),
  };
  // BENCH_ONLY=ceiling,hot_account runs a subset (for quick experiments; the report needs them all).
  if (process.env.BENCH_ONLY) for (const name of Object.keys(scenarios)) if (!process.env.BENCH_ONLY.split(",").includes(name)) delete scenarios[name];
  await scenarios.ceiling?.(); // warm-up
  const samples = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, scenario] of Object.entries(scenarios)) {
      if (name === "spread" && !process.env.BENCH_COLD) await warmSpread();
      const result = await scenario();
      samples[name].push(result);
      const cpu = Object.entries(result.cpu).map(([who, ms]) => `${who} ${ms.toFixed(2)}`).join(", ");
      console.log(`  run ${run + 1} ${name.padEnd(12)} ${result.rps.toFixed(0).padStart(6)} req/s  ${result.ups.toFixed(0).padStart(6)} units/s  errors ${result.errors}  cpu ms/req: ${cpu}`);
    }
  }
  const summary = Object.fromEntries(
    Object.entries(samples).map(([name, runs]) => [
      name,
      {
        rps: median(runs.map((r) => r.rps)),
        units_per_s: median(runs.map((r) => r.ups)),
        runs: runs.map((r) => Math.round(r.rps)),
        // CPU milliseconds per request by process (medians): what each scenario costs the machine, and where.
        cpu_ms_per_request: Object.fromEntries(Object.keys(runs[0].cpu).map((who) => [who, Number(median(runs.map((r) => r.cpu[who] ?? 0)).toFixed(3))])),
      },
    ]),
  );
  // (6) with 4 tills' pairs on (3)'s accounts running meanwhile.
  const measureLive = () =>
    liveLatencies(base, call, nextKey, () => {
      let running = true;
      const lanes = Array.from({ length: 4 }, async (_, lane) => {
        for (let n = 0; running; n++) await holdAndConfirm(base, spreadShop, cards[(lane * 7919 + n * 31) % cards.length]);
      });
      return async () => {
        running = false;
        await Promise.all(lanes);
      };
    });
  if (process.env.BENCH_ONLY) {
    if (process.env.BENCH_ONLY.split(",").includes("live")) summary.live = await measureLive();
    console.log(JSON.stringify(summary));
    return;
  }
  const approval = await approvalRoundTrips(base);
  const live = await measureLive();
  const results = {
    measured_at: Date.now(),
    machine: { cores: (await import("node:os")).cpus().length, node: process.version },
    settings: { runs: RUNS, seconds: SECONDS, concurrency: CONCURRENCY, accounts: ACCOUNTS, approval_rounds: ROUNDS, state_dir: stateRoot() },
    ...summary,
    approval,
    live,
    hot_account_ratio: summary.hot_account.rps / summary.ceiling.rps,
    shaped_ratio: summary.hot_account.rps / summary.ceiling_shaped.rps,
  };
  // What the other benches wrote stays (`cost` from bench:cost, `capacity` from bench:capacity).
  const { cost, capacity } = JSON.parse(readFileSync(join(here, "results.json"), "utf8"));
  writeFileSync(join(here, "results.json"), `${JSON.stringify({ ...results, cost, capacity }, null, 2)}\n`);
  writeFileSync(join(here, "results.svg"), svg(results));
  console.log(`
(1) ceiling      ${summary.ceiling.rps.toFixed(0)} req/s   (no-op request through the Worker to a Durable Object)
    shaped no-op ${summary.ceiling_shaped.rps.toFixed(0)} req/s   (the same no-op in requests shaped like (2)'s: headers, bodies, answer sizes)
    bare write   ${summary.bare_write.rps.toFixed(0)} req/s   (one SQLite row per request in a Durable Object: ${(summary.bare_write.rps / summary.ceiling.rps).toFixed(2)} of the ceiling)
(2) hot account  ${summary.hot_account.rps.toFixed(0)} req/s   (${summary.hot_account.units_per_s.toFixed(0)} create+confirm pairs/s on one account)
(3) 1,000 accts  ${summary.spread.rps.toFixed(0)} req/s   (${summary.spread.units_per_s.toFixed(0)} pairs/s)
(4) approval     p50 ${approval.p50_ms.toFixed(1)} ms, p99 ${approval.p99_ms.toFixed(1)} ms (${approval.rounds} round trips)
(5) plain D1     ${summary.plain_d1.rps.toFixed(0)} req/s   (${summary.plain_d1.units_per_s.toFixed(0)} hold+confirm pairs/s, with (2)'s contract: key, credential, schema, journal)
    bare D1      ${summary.plain_d1_bare.rps.toFixed(0)} req/s   (the conditional UPDATEs alone)
(6) live         ${Object.entries(live).map(([name, row]) => `${name.replaceAll("_", " ")} p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms`).join("\n                 ")}
                 (${live.hold_to_alert.samples} samples each, with 4 tills' pairs running on (3)'s accounts)
hot_account_ratio ${results.hot_account_ratio.toFixed(3)}
shaped_ratio ${results.shaped_ratio.toFixed(3)}   ((2) against the shaped no-op)`);
}

if (process.argv.includes("--redraw")) {
  // Draws bench/results.svg again from bench/results.json (after changing the chart), without measuring.
  writeFileSync(join(here, "results.svg"), svg(JSON.parse(readFileSync(join(here, "results.json"), "utf8"))));
  process.exit(0);
}

const worker = await startWorker();
serverPid = worker.pid;
serverPort = Number(new URL(worker.base).port);
try {
  await main(worker.base);
} finally {
  worker.stop();
}
