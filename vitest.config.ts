import { readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { copyDocsAssets } from "./scripts/docs-assets.mjs";

/** As wrangler.toml's Text rule: a Markdown file imported is its text (the API guide). Also bench/cost.config.ts's. */
export const markdownAsText = {
  name: "markdown-as-text",
  enforce: "pre" as const,
  load(id: string) {
    return id.endsWith(".md") ? `export default ${JSON.stringify(readFileSync(id, "utf8"))};` : null;
  },
};

export default defineConfig(async () => {
  copyDocsAssets();
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      markdownAsText,
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // The D1 that test/upgrade.test.ts builds on the schema before a migration (DB is wrangler.toml's).
          d1Databases: {
            DB: "00000000-0000-4000-8000-000000000001",
            SHARD_0: "00000000-0000-4000-8000-000000000010",
            SHARD_1: "00000000-0000-4000-8000-000000000011",
            SHARD_2: "00000000-0000-4000-8000-000000000012",
            SHARD_3: "00000000-0000-4000-8000-000000000013",
            UPGRADE_DB: "00000000-0000-4000-8000-0000000000ff",
          },
          bindings: {
            TEST_MIGRATIONS: migrations,
            ENVIRONMENT: "development",
            SIGNUP: "open",
            PLATFORM_TOKEN: "test-platform-token",
            SERVER_SECRET: "test-server-secret-0123456789abcdef",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**"],
      setupFiles: ["test/setup.ts"],
      // Sizes of the model-based and fuzz suites: CI sizes by default, `npm run test:deep` raises them.
      provide: {
        modelRuns: Number(process.env.MODEL_RUNS ?? 200),
        fuzzRequests: Number(process.env.FUZZ_REQUESTS ?? 1000),
      },
      testTimeout: 30_000,
    },
  };
});
