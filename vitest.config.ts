import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
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
