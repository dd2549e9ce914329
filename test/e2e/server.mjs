// Starts `npm start` on a free port with a fresh state directory, and reads the demo's links from its output.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** `options.stateDir` / `options.port`: start again on the state (and port) of an earlier run; `options.env`: more environment. */
export async function startServer(options = {}) {
  const port = options.port ?? (await freePort());
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "tillsafe-e2e-"));
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: new URL("../..", import.meta.url).pathname,
    env: { ...process.env, ...options.env, PORT: String(port), TILLSAFE_STATE_DIR: stateDir },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + 120_000;
  while (!/Terminal key\s+tk_/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const field = (label) => new RegExp(`${label}\\s+(\\S+)`).exec(output)[1];
  return {
    port,
    stateDir,
    base: `http://127.0.0.1:${port}`,
    registerUrl: field("Register page"),
    memberUrl: field("Nicola's page"),
    secretKey: field("Secret key"),
    terminalKey: field("Terminal key"),
    memberId: /members\/(mem_[0-9a-z]+)\/portal-sessions/.exec(output)[1],
    owner: (([, email, password]) => ({ email, password }))(/Console login\s+(\S+) \/ (.+?) \(the owner/.exec(output)),
    stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
    /** Kills the whole process group at once (no clean shutdown), keeping the state directory. */
    async kill() {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      while (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}
