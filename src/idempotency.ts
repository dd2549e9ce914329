/**
 * Idempotent POSTs of every key and the platform token: the first response to an Idempotency-Key is kept (sealed,
 * since some carry a shown-once secret) and returned, byte for byte, for every repeat by the same credential. A claim
 * row makes concurrent repeats wait for the first. POST /v1/operations does not come here: its AccountDO dedupes in
 * the same transaction as the balance change.
 *
 * A claim is a lease (`LEASE_MS`): a request that died holding it (a crash, a deploy) lets a retry take the key over
 * once it lapsed. The retry then runs again, and answers what happened, once: a change an object decides is
 * idempotent there (a confirm confirmed again answers the confirmed operation), and a change written to D1 commits its
 * answer in the same batch (`KeyedWrite.answerWith`), fenced by the lease, so either both are there — and the retry
 * replays the answer — or neither is, and it runs afresh. A request that lost its lease can no longer commit.
 */
import { KEY_RETENTION_MS } from "./lib/ids";
import { and, eq, exists, isNull, lt, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { database } from "./db/client";
import { idempotencyRecords } from "./db/schema";
import { ApiError } from "./lib/errors";
import { seal, unseal } from "./lib/crypto";
import { textOf, type Outcome } from "./lib/outcome";

const WAIT_STEP_MS = 50;
const WAIT_MAX_MS = 10_000;
/** How long a claim is its request's alone: past it, a retry may take the key over. */
export const LEASE_MS = 30_000;

export interface IdempotencyScope {
  tenantId: string;
  credentialId: string;
  key: string;
  fingerprint: string;
}

/** What a handler that writes to D1 puts in the batch of its change: the key's answer, committed with it. */
export interface KeyedWrite {
  /** This request took over the key of one that died mid-way: part of its change may already be made. */
  retrying: boolean;
  /** The statements recording `outcome` as the answer, fenced by the lease (none without a key). */
  answerWith(outcome: Outcome): Promise<BatchItem<"sqlite">[]>;
  /**
   * The same for a raw D1 batch whose change is conditional: `fence` goes first, `answer` last, recorded only if the
   * statement just before it changed a row (SQLite's `changes()`), so a change that did not happen leaves the key
   * to its refusal.
   */
  answerIfChanged(outcome: Outcome): Promise<{ fence: D1PreparedStatement[]; answer: D1PreparedStatement[] }>;
}

/** For a request without a key: nothing to add. */
export const UNKEYED: KeyedWrite = { retrying: false, answerWith: async () => [], answerIfChanged: async () => ({ fence: [], answer: [] }) };

/**
 * Whether an answer is kept for replay. A 429 ("wait, then try again") and a 5xx ("something broke") are not: the
 * same key sent again later runs again, as the answer told the caller to do.
 */
const final = (status: number) => status !== 429 && status < 500;

export async function idempotent(d1: D1Database, serverSecret: string, scope: IdempotencyScope, run: (keyed: KeyedWrite) => Promise<Outcome>): Promise<Outcome> {
  const db = database(d1);
  const where = and(
    eq(idempotencyRecords.tenantId, scope.tenantId),
    eq(idempotencyRecords.credentialId, scope.credentialId),
    eq(idempotencyRecords.key, scope.key),
  );
  const now = Date.now();
  // A record past retention is forgotten, so the key may be used afresh.
  await db.delete(idempotencyRecords).where(and(where, lt(idempotencyRecords.createdAt, new Date(now - KEY_RETENTION_MS).toISOString())));
  const lease = new Date(now + LEASE_MS).toISOString();
  const claimed = await db
    .insert(idempotencyRecords)
    .values({ ...scope, state: "running", createdAt: new Date(now).toISOString(), leaseUntil: lease })
    .onConflictDoNothing()
    .returning({ key: idempotencyRecords.key });

  const held = claimed.length > 0 ? lease : await waitForFirst(db, where, scope, serverSecret);
  if (typeof held !== "string") return held;
  return runHolding(d1, serverSecret, scope, held, claimed.length === 0, run);
}

async function runHolding(d1: D1Database, serverSecret: string, scope: IdempotencyScope, lease: string, retrying: boolean, run: (keyed: KeyedWrite) => Promise<Outcome>): Promise<Outcome> {
  const db = database(d1);
  const mine = heldBy(scope, lease);
  let committed = false;
  const keyed: KeyedWrite = {
    retrying,
    async answerWith(outcome) {
      committed = true;
      // Built, not awaited: a drizzle query is a thenable, and runs when awaited.
      const response = await seal(serverSecret, textOf(outcome));
      return [leaseFence(d1, scope, lease), answerStatement(d1, scope, lease, outcome.status, response)];
    },
    async answerIfChanged(outcome) {
      committed = true;
      const response = await seal(serverSecret, textOf(outcome));
      const answer = database(d1)
        .update(idempotencyRecords)
        .set({ state: "done", status: outcome.status, response, leaseUntil: null })
        .where(and(sql`changes() = 1`, heldBy(scope, lease)));
      return { fence: [asStatement(d1, leaseFence(d1, scope, lease))], answer: [asStatement(d1, answer)] };
    },
  };
  let outcome: Outcome;
  try {
    outcome = await run(keyed);
  } catch (error) {
    if (!(error instanceof ApiError) || !final(error.status)) {
      await db.delete(idempotencyRecords).where(mine);
      throw error;
    }
    outcome = { status: error.status, body: { error: { code: error.code, message: error.message, details: error.details } }, headers: error.headers };
  }
  if (!final(outcome.status)) {
    await db.delete(idempotencyRecords).where(mine);
    return outcome;
  }
  // Written with the change already (in its batch), or now.
  if (!committed || outcome.status >= 300) await answerStatement(d1, scope, lease, outcome.status, await seal(serverSecret, textOf(outcome)));
  return outcome;
}

/** The answer recorded for the key, if the lease is still the one given. */
function answerStatement(d1: D1Database, scope: IdempotencyScope, lease: string, status: number, response: string) {
  return database(d1).update(idempotencyRecords).set({ state: "done", status, response, leaseUntil: null }).where(heldBy(scope, lease));
}

const heldBy = (scope: IdempotencyScope, lease: string) =>
  and(
    eq(idempotencyRecords.tenantId, scope.tenantId),
    eq(idempotencyRecords.credentialId, scope.credentialId),
    eq(idempotencyRecords.key, scope.key),
    eq(idempotencyRecords.state, "running"),
    eq(idempotencyRecords.leaseUntil, lease),
  );

/**
 * A statement that fails — and so fails the whole batch it is in — unless the lease is still this request's: a
 * request that ran past its lease, whose key a retry took over, cannot commit its change a second time.
 */
function leaseFence(d1: D1Database, scope: IdempotencyScope, lease: string) {
  const db = database(d1);
  const held = exists(db.select({ one: sql`1` }).from(idempotencyRecords).where(heldBy(scope, lease)));
  // json() of anything but JSON is an error, which rolls the batch back.
  return db.select({ held: sql<string>`json(CASE WHEN ${held} THEN '1' ELSE 'lease lost' END)` }).from(sql`(SELECT 1)`);
}

/** A drizzle query as a D1 statement, for a raw D1 batch. */
const asStatement = (d1: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }) => {
  const { sql: text, params } = query.toSQL();
  return d1.prepare(text).bind(...params);
};

/** Waits for the first request's answer; answers the lease when the first request died and this one took the key over. */
async function waitForFirst(db: ReturnType<typeof database>, where: ReturnType<typeof and>, scope: IdempotencyScope, serverSecret: string): Promise<Outcome | string> {
  for (let waited = 0; ; waited += WAIT_STEP_MS) {
    const record = await db.select().from(idempotencyRecords).where(where).get();
    if (record && record.fingerprint !== scope.fingerprint) {
      throw new ApiError("idempotency_key_reused", "This Idempotency-Key was already used with a different request");
    }
    if (record?.state === "done") {
      // The text as first answered: a replay is the same bytes.
      return { status: record.status!, json: await unseal(serverSecret, record.response!) };
    }
    if (record?.state === "running") {
      const taken = await takeOver(db, where, record.leaseUntil, record.createdAt);
      if (taken) return taken;
    }
    if (!record || waited >= WAIT_MAX_MS) {
      throw new ApiError("idempotency_key_in_progress", "A request with this Idempotency-Key is still being processed; retry shortly");
    }
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
}

/** Takes a lapsed claim over (one retry wins); the new lease, or null while the claim is still held. */
async function takeOver(db: ReturnType<typeof database>, where: ReturnType<typeof and>, leaseUntil: string | null, createdAt: string): Promise<string | null> {
  const now = Date.now();
  // A claim made before leases: its lease is counted from when it was made.
  const lapsesAt = leaseUntil ? Date.parse(leaseUntil) : Date.parse(createdAt) + LEASE_MS;
  if (lapsesAt > now) return null;
  const lease = new Date(now + LEASE_MS).toISOString();
  const still = leaseUntil === null ? isNull(idempotencyRecords.leaseUntil) : eq(idempotencyRecords.leaseUntil, leaseUntil);
  const taken = await db
    .update(idempotencyRecords)
    .set({ leaseUntil: lease })
    .where(and(where, eq(idempotencyRecords.state, "running"), still))
    .returning({ key: idempotencyRecords.key });
  return taken.length > 0 ? lease : null;
}
