// The typed client as a user gets it: built, packed by npm, installed in a project of its own, and its tour example
// run there with plain `node` (no Vite, no bundler) against `npm start`; also run in place from the repository.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startServer } from "./server.mjs";

const root = new URL("../..", import.meta.url).pathname;
const client = join(root, "clients", "typescript");
const PLATFORM = "dev-platform-token";
/** What the tour ends on: the same figures test/client-tour.test.ts expects inside the Worker's tests. */
const EXPECTED = JSON.parse(readFileSync(join(root, "test", "client-tour.expected.json"), "utf8"));

let server;
const made = [];
before(async () => {
  execFileSync(process.execPath, [join(root, "scripts", "build-client.mjs")], { stdio: "inherit" });
  server = await startServer();
});
after(() => {
  server?.stop();
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Runs the tour with this Node, as `node tour.ts <base> <token>`, in `cwd`: what it printed, parsed. */
function runTour(cwd, file) {
  const run = spawnSync(process.execPath, [file, server.base, PLATFORM], { cwd, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

test("the example runs with plain node in the repository", () => {
  assert.deepEqual(runTour(client, "examples/tour.ts"), EXPECTED);
});

test("npm pack makes an installable package: built ES modules and types, an exports map, its README", () => {
  const dir = mkdtempSync(join(tmpdir(), "tillsafe-client-"));
  made.push(dir);
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: client, encoding: "utf8" }));
  assert.deepEqual(packed.files.map((f) => f.path).sort(), ["README.md", "dist/index.d.ts", "dist/index.js", "dist/schema.d.ts", "package.json"]);

  // A project of its own: the package unpacked where npm would install it, its one dependency beside it.
  const project = join(dir, "shop");
  const installed = join(project, "node_modules", "@tillsafe", "client");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", join(dir, packed.filename), "-C", installed, "--strip-components=1"]);
  symlinkSync(join(root, "node_modules", "openapi-fetch"), join(project, "node_modules", "openapi-fetch"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "shop", private: true, type: "module", dependencies: { "@tillsafe/client": packed.version } }));
  copyFileSync(join(client, "examples", "tour.ts"), join(project, "tour.ts"));
  assert.deepEqual(runTour(project, "tour.ts"), EXPECTED);
});
