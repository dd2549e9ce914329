import type { D1Migration } from "cloudflare:test";
import type { Env as AppEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends AppEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** A second D1 for test/upgrade.test.ts: migrated up to a point, filled, then migrated on. */
      UPGRADE_DB: D1Database;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "AccountDO" | "StoreDO" | "WebhookDO" | "HistoryWriterDO";
    }
  }
}

declare module "vitest" {
  interface ProvidedContext {
    modelRuns: number;
    fuzzRequests: number;
    /** bench:cost only: print where the rows go. */
    costTrace: boolean;
  }
}
