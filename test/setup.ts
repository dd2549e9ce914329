import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect } from "vitest";
import { drifted } from "./contract";

// A live message that drifted from its schema fails the test that received it.
afterEach(() => expect(drifted.splice(0)).toEqual([]));

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
