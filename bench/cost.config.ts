/** `npm run bench:cost`: bench/cost.bench.ts inside workerd, on the bench Worker (Tillsafe plus the plain-D1 peer). */
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { markdownAsText } from "../vitest.config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "..", "migrations"));
  return {
    plugins: [
      markdownAsText,
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ENVIRONMENT: "development",
            PLATFORM_TOKEN: "test-platform-token",
            SERVER_SECRET: "bench-server-secret-0123456789abcdef",
          },
        },
      }),
    ],
    test: {
      root: import.meta.dirname,
      include: [process.env.COST_FILE ?? "cost.bench.ts"],
      setupFiles: ["../test/setup.ts"],
      testTimeout: 120_000,
      // COST_TRACE=1: where the rows go, statement by statement.
      provide: { costTrace: Boolean(process.env.COST_TRACE) },
    },
  };
});
