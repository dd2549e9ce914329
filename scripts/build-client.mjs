#!/usr/bin/env node
// Builds the typed client (clients/typescript) into dist/: ES modules and their type declarations, by tsc, with the
// generated API types beside them — what `npm pack` there puts in the package. `npm test` runs it first.
import { spawnSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const client = join(root, "clients", "typescript");
rmSync(join(client, "dist"), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", client], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
copyFileSync(join(client, "src", "schema.d.ts"), join(client, "dist", "schema.d.ts"));
