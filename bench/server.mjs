// The bench Worker (bench/worker.ts) under `wrangler dev` on a free port with fresh state, and a JSON call helper:
// what `npm run bench` (run.mjs) and `npm run bench:capacity` (capacity.mjs) start and drive.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wranglerJs = join(here, "..", "node_modules", "wrangler", "bin", "wrangler.js");
export const PLATFORM = "bench-platform-token";

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Where the server keeps its state: in memory (/dev/shm) unless BENCH_STATE_DIR names a directory. Local workerd
 * makes every Durable Object commit wait for an fsync on the thread that runs the JavaScript, so on a disk each
 * write stalls the whole Worker for this machine's sync latency; Cloudflare's storage confirms a write while the
 * object goes on (the output gate holds its answer). In memory, the bench measures the CPU of the code and not this
 * disk. `BENCH_STATE_DIR=/tmp npm run bench` measures on the disk.
 */
export function stateRoot() {
  if (process.env.BENCH_STATE_DIR) return process.env.BENCH_STATE_DIR;
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

/** Starts the bench Worker; `state` is its state directory (the local D1 lives under it). */
export async function startWorker() {
  const port = await freePort();
  const state = mkdtempSync(join(stateRoot(), "tillsafe-bench-"));
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false", PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
  // The directory and the four shards, each with the same migrations.
  for (const binding of ["DB", "SHARD_0", "SHARD_1", "SHARD_2", "SHARD_3"]) {
    const migrate = spawnSync(process.execPath, [wranglerJs, "d1", "migrations", "apply", binding, "--local", "-c", join(here, "wrangler.toml"), "--persist-to", state], { env, stdio: "ignore" });
    if (migrate.status !== 0) throw new Error(`migrations of ${binding} failed`);
  }
  const child = spawn(
    process.execPath,
    [wranglerJs, "dev", "-c", join(here, "wrangler.toml"), "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--var", `PLATFORM_TOKEN:${PLATFORM}`, "--show-interactive-dev-session=false", "--log-level", "error"],
    { env, stdio: ["ignore", "ignore", "inherit"], detached: true },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${base}/`)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    base,
    state,
    pid: child.pid,
    stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // gone
      }
      rmSync(state, { recursive: true, force: true });
    },
  };
}

export async function call(base, method, path, { token, body, key, headers = {} } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(key ? { "idempotency-key": key } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

