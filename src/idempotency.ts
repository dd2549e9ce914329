/**
 * Idempotent POSTs of every key and the platform token: the first response to an Idempotency-Key is kept (sealed,
 * since some carry a shown-once secret) and returned for every repeat by the same credential. A claim row makes
 * concurrent repeats wait for the first. POST /v1/operations does not come here: its AccountDO dedupes in the same
 * transaction as the balance change.
 */
import { KEY_RETENTION_MS } from "./lib/ids";
import { and, eq, lt } from "drizzle-orm";
import { database } from "./db/client";
import { idempotencyRecords } from "./db/schema";
import { ApiError } from "./lib/errors";
import { seal, unseal } from "./lib/crypto";
import { textOf, type Outcome } from "./lib/outcome";

const WAIT_STEP_MS = 50;
const WAIT_MAX_MS = 10_000;

export interface IdempotencyScope {
  tenantId: string;
  credentialId: string;
  key: string;
  fingerprint: string;
}

/**
 * Whether an answer is kept for replay. A 429 ("wait, then try again") and a 5xx ("something broke") are not: the
 * same key sent again later runs again, as the answer told the caller to do.
 */
const final = (status: number) => status !== 429 && status < 500;

export async function idempotent(d1: D1Database, serverSecret: string, scope: IdempotencyScope, run: () => Promise<Outcome>): Promise<Outcome> {
  const db = database(d1);
  const where = and(
    eq(idempotencyRecords.tenantId, scope.tenantId),
    eq(idempotencyRecords.credentialId, scope.credentialId),
    eq(idempotencyRecords.key, scope.key),
  );
  const now = new Date();
  // A record past retention is forgotten, so the key may be used afresh.
  await db
    .delete(idempotencyRecords)
    .where(and(where, lt(idempotencyRecords.createdAt, new Date(now.getTime() - KEY_RETENTION_MS).toISOString())));
  const claimed = await db
    .insert(idempotencyRecords)
    .values({ ...scope, state: "running", createdAt: now.toISOString() })
    .onConflictDoNothing()
    .returning({ key: idempotencyRecords.key });

  if (claimed.length === 0) return waitForFirst(db, where, scope, serverSecret);

  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (error) {
    if (!(error instanceof ApiError) || !final(error.status)) {
      await db.delete(idempotencyRecords).where(where);
      throw error;
    }
    outcome = {
      status: error.status,
      body: { error: { code: error.code, message: error.message, details: error.details } },
      headers: error.headers,
    };
  }
  if (!final(outcome.status)) {
    await db.delete(idempotencyRecords).where(where);
    return outcome;
  }
  await db
    .update(idempotencyRecords)
    .set({ state: "done", status: outcome.status, response: await seal(serverSecret, textOf(outcome)) })
    .where(where);
  return outcome;
}

async function waitForFirst(
  db: ReturnType<typeof database>,
  where: ReturnType<typeof and>,
  scope: IdempotencyScope,
  serverSecret: string,
): Promise<Outcome> {
  for (let waited = 0; ; waited += WAIT_STEP_MS) {
    const record = await db.select().from(idempotencyRecords).where(where).get();
    if (record && record.fingerprint !== scope.fingerprint) {
      throw new ApiError("idempotency_key_reused", "This Idempotency-Key was already used with a different request");
    }
    if (record?.state === "done") {
      return { status: record.status!, body: JSON.parse(await unseal(serverSecret, record.response!)) };
    }
    if (!record || waited >= WAIT_MAX_MS) {
      throw new ApiError("idempotency_key_in_progress", "A request with this Idempotency-Key is still being processed; retry shortly");
    }
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
}
