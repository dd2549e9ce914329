// The files the Worker serves as static assets (wrangler.toml [assets]): the API reference's standalone bundle
// (@scalar/api-reference), copied from node_modules into assets/ (not committed) before wrangler runs.
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function copyDocsAssets() {
  const from = join(root, "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");
  const to = join(root, "assets", "docs-assets", "scalar.js");
  mkdirSync(dirname(to), { recursive: true });
  const fresh = (() => {
    try {
      return statSync(to).mtimeMs >= statSync(from).mtimeMs && statSync(to).size === statSync(from).size;
    } catch {
      return false;
    }
  })();
  if (!fresh) copyFileSync(from, to);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) copyDocsAssets();
