#!/usr/bin/env node
// `npm run bench:cost`: runs bench/cost.bench.ts inside workerd (vitest with the Workers pool, bench/cost.config.ts),
// prints each case's billable units per purchase (a create + confirm pair) and its dollars per million purchases, and
// writes them into bench/results.json under `cost`.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vitest = join(here, "..", "node_modules", "vitest", "vitest.mjs");
if (process.env.COST_TRACE) console.log("tracing");
const run = spawnSync(process.execPath, [vitest, "run", "--config", join(here, "cost.config.ts")], { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
const line = (run.stdout + run.stderr).split("\n").find((l) => l.includes("COST_RESULT "));
if (run.status !== 0 || !line) {
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  process.exit(run.status || 1);
}
const cost = JSON.parse(line.slice(line.indexOf("COST_RESULT ") + "COST_RESULT ".length));
const columns = ["worker_requests", "do_requests", "do_rows_written", "d1_rows_written", "do_rows_read", "d1_rows_read", "dollars_per_million"];
const width = 16;
console.log(["case".padEnd(14), ...columns.map((c) => c.padStart(width))].join(""));
for (const [name, units] of Object.entries(cost)) console.log([name.padEnd(14), ...columns.map((c) => String(units[c]).padStart(width))].join(""));
const file = join(here, "results.json");
const results = JSON.parse(readFileSync(file, "utf8"));
results.cost = { measured_at: Date.now(), per_purchase: cost };
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
if (process.env.COST_TRACE) for (const l of (run.stdout + run.stderr).split("\n").filter((l) => l.includes("COST_TRACE "))) console.log(l.slice(l.indexOf("COST_TRACE ") + 11));
