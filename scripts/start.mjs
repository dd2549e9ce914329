#!/usr/bin/env node
// `npm start`: applies the D1 migrations to the local databases, then runs the Worker with wrangler dev
// (local workerd, local D1 and Durable Objects under .wrangler/state), and prints where everything is.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { copyDocsAssets } from "./docs-assets.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Run wrangler on this Node (the project's pinned one under npm), whatever `node` the PATH finds first.
const wranglerJs = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const port = process.env.PORT || "8787";
const platformToken = process.env.PLATFORM_TOKEN || "dev-platform-token";
const persistTo = process.env.TILLSAFE_STATE_DIR || join(root, ".wrangler", "state");
const PROVIDER_VARS = ["SMS_PROVIDER", "SMS_API_BASE", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"];
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}:${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
  CI: "true",
  WRANGLER_SEND_METRICS: "false",
};

copyDocsAssets();

// Migrations, quietly, to the directory and every shard in one process (wrangler's platform proxy on the same state
// that wrangler dev uses): each migration a batch with its row in `d1_migrations`, as `wrangler d1 migrations apply`
// keeps it, so either sees what the other applied. One line for them all; the error when one fails.
process.env.WRANGLER_LOG = "error";
// The proxy runs no Worker code, and workerd says so for each Durable Object class: not news here.
const writeErr = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk, ...rest) => (/no such Durable Object class is exported/.test(String(chunk)) ? true : writeErr(chunk, ...rest));
const DATABASES = ["DB", "SHARD_0", "SHARD_1", "SHARD_2", "SHARD_3"];
const { getPlatformProxy } = await import("wrangler");
const { readD1Migrations } = await import("@cloudflare/vitest-plugin");
const migrations = await readD1Migrations(join(root, "migrations"));
const proxy = await getPlatformProxy({ configPath: join(root, "wrangler.toml"), persist: { path: join(persistTo, "v3") } });
let applied = 0;
try {
  for (const binding of DATABASES) {
    const db = proxy.env[binding];
    await db.prepare("CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)").run();
    const done = new Set((await db.prepare("SELECT name FROM d1_migrations").all()).results.map((row) => row.name));
    let here = 0;
    for (const migration of migrations.filter((m) => !done.has(m.name))) {
      await db.batch([...migration.queries.map((query) => db.prepare(query)), db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(migration.name)]);
      here += 1;
    }
    applied = Math.max(applied, here);
  }
} catch (error) {
  console.error(`Applying the D1 migrations failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
} finally {
  await proxy.dispose();
  process.stderr.write = writeErr;
}
delete process.env.WRANGLER_LOG;
console.log(`D1 databases ${DATABASES.join(", ")}: ${applied === 0 ? "up to date" : `${applied} migration${applied === 1 ? "" : "s"} applied to each`} (local, in ${persistTo})`);

const dev = spawn(
  process.execPath,
  [
    wranglerJs,
    "dev",
    "--port", port,
    "--ip", "127.0.0.1",
    "--persist-to", persistTo,
    "--var", `PLATFORM_TOKEN:${platformToken}`,
    "--var", "ENVIRONMENT:development",
    // Anyone may sign a business up locally; set SIGNUP=invite to try the invite-only flow.
    "--var", `SIGNUP:${process.env.SIGNUP || "open"}`,
    // A real (Twilio-compatible) SMS provider instead of the development outbox, when the environment names one.
    ...PROVIDER_VARS.filter((name) => process.env[name]).flatMap((name) => ["--var", `${name}:${process.env[name]}`]),
    "--show-interactive-dev-session=false",
  ],
  { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] },
);

const base = `http://127.0.0.1:${port}`;
(async () => {
  for (let i = 0; i < 600; i++) {
    try {
      const response = await fetch(`${base}/`);
      if (response.ok) break;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // The Cafe Aroma demo: created once, found again on every later start.
  let demo = null;
  try {
    const response = await fetch(`${base}/v1/dev/seed`, { method: "POST", headers: { authorization: `Bearer ${platformToken}` } });
    if (response.ok) demo = await response.json();
    else console.error(`Seeding the demo failed: HTTP ${response.status} ${await response.text()}`);
  } catch (error) {
    console.error("Seeding the demo failed:", error);
  }
  console.log(`
Tillsafe is running (ENVIRONMENT=development, state in ${persistTo})
  Console        ${base}/console
  API            ${base}/v1
  Docs           ${base}/docs
  OpenAPI        ${base}/openapi.json
  Platform token ${platformToken}
${
  demo
    ? `
Demo: Cafe Aroma, member Nicola (card ${demo.card}) with 150.00 credit. Credit and cashback payments need her approval;
      points payments at this store need an SMS code (in development every SMS shows on the sign-in page's panel,
      and in GET /v1/dev/sms with the platform token).
  Register page  ${demo.register_url}
  Nicola's page  ${demo.member_url}
                 (one use, for 10 minutes: until ${new Date(demo.member_url_expires_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} here;
                  later it opens the sign-in by phone. A new link:
                  curl -s -X POST ${base}/v1/members/${demo.member_id}/portal-sessions -H 'authorization: Bearer ${demo.secret_key}' | jq -r .url)
  Console login  ${demo.owner_email} / ${demo.owner_password} (the owner, at ${demo.console_url})
  Secret key     ${demo.secret_key}
  Terminal key   ${demo.terminal_key}
`
    : ""
}`);
})();

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
