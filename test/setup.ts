import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect } from "vitest";
import { drifted } from "./contract";

// A live message that drifted from its schema fails the test that received it.
afterEach(() => expect(drifted.splice(0)).toEqual([]));

// Every database runs the same migrations: the directory and the four shards of the tests.
for (const d1 of [env.DB, env.SHARD_0, env.SHARD_1, env.SHARD_2, env.SHARD_3]) await applyD1Migrations(d1, env.TEST_MIGRATIONS);
