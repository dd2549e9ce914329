/**
 * The peer of scenario (5): the hold + confirm a team would build on D1 alone, without Durable Objects. Every balance
 * decision is a D1 batch (one transaction) whose conditional UPDATEs are the whole concurrency control.
 *
 * Two versions, both measured:
 * - `plain_d1` keeps the API contract Tillsafe keeps, as any D1 design that serves API.md must. Its routes go
 *   through Tillsafe's own app (request id, body limit, the terminal key, the same zod schema for the body, one error
 *   shape). A create requires an Idempotency-Key and claims it per register in the same transaction as the hold, so
 *   a retry holds nothing more and the key reused for another card is 422. A confirm writes both journal entries (the
 *   payment and the points accrual) and moves both balances; the operations and each member's history have the
 *   indexes their lists need, and `/bench/d1/purge` drops keys past their retention (what `npm run bench:cost` counts).
 * - `plain_d1_bare` is the conditional UPDATEs alone: no credential, no schema, no key, no journal.
 */
import { ApiError, invalidRequest, notFound } from "../src/lib/errors";
import { sha256Hex } from "../src/lib/crypto";
import type { Env } from "../src/env";
import type { App } from "../src/routes/endpoint";
import { endpoint } from "../src/routes/endpoint";
import { CreateOperation } from "../src/routes/operations";

let ready: Promise<unknown> | null = null;

/** The peer's tables, made once per isolate (bench only: they live beside Tillsafe's in the bench's D1). */
function tables(db: D1Database) {
  ready ??= db.batch([
    db.prepare("CREATE TABLE IF NOT EXISTS bench_accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL, held INTEGER NOT NULL, points INTEGER NOT NULL DEFAULT 0)"),
    db.prepare("CREATE TABLE IF NOT EXISTS bench_holds (id TEXT PRIMARY KEY, account TEXT NOT NULL, amount INTEGER NOT NULL, status TEXT NOT NULL)"),
    db.prepare(
      "CREATE TABLE IF NOT EXISTS bench_keys (tenant_id TEXT NOT NULL, register_id TEXT NOT NULL, key TEXT NOT NULL, operation_id TEXT NOT NULL, fingerprint TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, register_id, key)) WITHOUT ROWID",
    ),
    db.prepare(
      "CREATE TABLE IF NOT EXISTS bench_operations (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, account TEXT NOT NULL, amount INTEGER NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
    ),
    db.prepare("CREATE INDEX IF NOT EXISTS bench_operations_tenant ON bench_operations(tenant_id, created_at)"),
    db.prepare(
      "CREATE TABLE IF NOT EXISTS bench_journal (operation_id TEXT NOT NULL, kind TEXT NOT NULL, account TEXT NOT NULL, amount INTEGER NOT NULL, balance_after INTEGER NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (operation_id, kind)) WITHOUT ROWID",
    ),
    db.prepare("CREATE INDEX IF NOT EXISTS bench_journal_account ON bench_journal(account, created_at)"),
  ]);
  return ready;
}

interface OperationRow {
  id: string;
  account: string;
  amount: number;
  status: string;
  version: number;
  body: string;
  created_at: number;
  updated_at: number;
}

const answer = (row: OperationRow) => ({
  id: row.id,
  object: "operation",
  status: row.status,
  version: row.version,
  card: row.account,
  amount: row.amount,
  request: JSON.parse(row.body) as unknown,
  created_at: new Date(row.created_at).toISOString(),
  updated_at: new Date(row.updated_at).toISOString(),
});

/** `POST /bench/d1/operations` and `POST /bench/d1/operations/:id/confirm`, on Tillsafe's app. */
export function plainD1Routes(app: App): void {
  endpoint(
    app,
    // Like POST /v1/operations, it claims its Idempotency-Key itself, in the batch that holds the money.
    { method: "post", path: "/bench/d1/operations", summary: "Bench peer: hold on plain D1", tag: "Bench", auth: ["terminal"], body: CreateOperation, ownIdempotency: true },
    async ({ env, principal, body, idempotencyKey }) => {
      if (!idempotencyKey) throw new ApiError("idempotency_key_required", "POST /bench/d1/operations needs an Idempotency-Key header");
      if (body.type !== "purchase") throw invalidRequest("The plain-D1 peer takes purchases only");
      await tables(env.DB);
      const amount = body.payments.reduce((sum, payment) => sum + payment.amount, 0);
      const [digest, fingerprint] = await Promise.all([
        sha256Hex(`${principal.tenantId}\n${principal.registerId}\n${idempotencyKey}`),
        sha256Hex(JSON.stringify(body)),
      ]);
      const id = `op_${digest.slice(0, 32)}`;
      const now = Date.now();
      const db = env.DB;
      // One transaction: claim the key; hold only if the claim is new and the money is there; record the operation
      // only if the hold happened; read back whatever the key now stands for.
      const [, , , found] = await db.batch([
        db
          .prepare("INSERT INTO bench_keys (tenant_id, register_id, key, operation_id, fingerprint, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING")
          .bind(principal.tenantId, principal.registerId, idempotencyKey, id, fingerprint, Date.now()),
        db.prepare("UPDATE bench_accounts SET held = held + ?2 WHERE id = ?1 AND balance - held >= ?2 AND changes() = 1").bind(body.card, amount),
        db
          .prepare(
            "INSERT INTO bench_operations (id, tenant_id, account, amount, status, version, body, created_at, updated_at) SELECT ?1, ?2, ?3, ?4, 'pending', 1, ?5, ?6, ?6 WHERE changes() = 1",
          )
          .bind(id, principal.tenantId, body.card, amount, JSON.stringify(body), now),
        db
          .prepare(
            "SELECT k.fingerprint AS fingerprint, o.* FROM bench_keys k LEFT JOIN bench_operations o ON o.id = k.operation_id WHERE k.tenant_id = ?1 AND k.register_id = ?2 AND k.key = ?3",
          )
          .bind(principal.tenantId, principal.registerId, idempotencyKey),
      ]);
      const row = found.results[0] as (OperationRow & { fingerprint: string }) | undefined;
      if (!row || row.fingerprint !== fingerprint) throw new ApiError("idempotency_key_reused", "This Idempotency-Key was used for another request");
      if (row.id === null) throw new ApiError("insufficient_funds", "Not enough balance to hold");
      return { status: 201, body: answer(row) };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/bench/d1/operations/:id/confirm", summary: "Bench peer: confirm on plain D1", tag: "Bench", auth: ["terminal"], status: 200 },
    async ({ env, principal, param }) => {
      await tables(env.DB);
      const db = env.DB;
      const id = param("id");
      // One transaction: close the hold once; only then move both balances (the payment, and the points it earns:
      // one per currency unit, as Tillsafe's default) and write both journal entries.
      const [, , , , found] = await db.batch([
        db
          .prepare("UPDATE bench_operations SET status = 'confirmed', version = version + 1, updated_at = ?3 WHERE id = ?1 AND tenant_id = ?2 AND status = 'pending'")
          .bind(id, principal.tenantId, Date.now()),
        db
          .prepare(
            `UPDATE bench_accounts SET balance = balance - (SELECT amount FROM bench_operations WHERE id = ?1), held = held - (SELECT amount FROM bench_operations WHERE id = ?1),
               points = points + (SELECT amount / 100 FROM bench_operations WHERE id = ?1)
             WHERE id = (SELECT account FROM bench_operations WHERE id = ?1) AND changes() = 1`,
          )
          .bind(id),
        db
          .prepare(
            `INSERT INTO bench_journal (operation_id, kind, account, amount, balance_after, created_at)
             SELECT o.id, 'payment', o.account, -o.amount, a.balance, o.updated_at FROM bench_operations o JOIN bench_accounts a ON a.id = o.account
             WHERE o.id = ?1 AND changes() = 1`,
          )
          .bind(id),
        db
          .prepare(
            `INSERT INTO bench_journal (operation_id, kind, account, amount, balance_after, created_at)
             SELECT o.id, 'accrual', o.account, o.amount / 100, a.points, o.updated_at FROM bench_operations o JOIN bench_accounts a ON a.id = o.account
             WHERE o.id = ?1 AND changes() = 1`,
          )
          .bind(id),
        db.prepare("SELECT * FROM bench_operations WHERE id = ?1 AND tenant_id = ?2").bind(id, principal.tenantId),
      ]);
      const row = found.results[0] as OperationRow | undefined;
      if (!row) throw notFound("operation_not_found", "Operation");
      if (row.status !== "confirmed") throw new ApiError("operation_not_pending", `The operation is ${row.status}`);
      return { status: 200, body: answer(row) };
    },
  );
}

/** The bare peer and the bench's own reads: `/bench/d1/open`, `/hold`, `/confirm`, `/account`, `/purge`. */
export async function bareD1Ledger(request: Request, env: Env, path: string): Promise<Response> {
  await tables(env.DB);
  const body = (await request.json()) as { account: string; id?: string; amount?: number; balance?: number; before?: number };
  if (path === "/bench/d1/open") {
    await env.DB.prepare("INSERT OR REPLACE INTO bench_accounts (id, balance, held) VALUES (?, ?, 0)").bind(body.account, body.balance).run();
    return Response.json({ ok: true });
  }
  if (path === "/bench/d1/purge") {
    // Keys past their retention go (Tillsafe keeps them 3 days): what the peer's keys cost later.
    const purged = await env.DB.prepare("DELETE FROM bench_keys WHERE created_at < ?").bind(body.before).run();
    return Response.json({ purged: purged.meta.changes });
  }
  if (path === "/bench/d1/account") {
    const account = await env.DB.prepare("SELECT balance, held, points, (SELECT COUNT(*) FROM bench_journal WHERE account = ?1) AS entries FROM bench_accounts WHERE id = ?1")
      .bind(body.account)
      .first();
    return Response.json(account);
  }
  if (path === "/bench/d1/hold") {
    // The conditional UPDATE is the whole concurrency control: it only holds what is available.
    const [held] = await env.DB.batch([
      env.DB.prepare("UPDATE bench_accounts SET held = held + ?2 WHERE id = ?1 AND balance - held >= ?2").bind(body.account, body.amount),
      env.DB.prepare("INSERT INTO bench_holds (id, account, amount, status) SELECT ?1, ?2, ?3, 'pending' WHERE changes() = 1").bind(body.id, body.account, body.amount),
    ]);
    return Response.json({ held: held.meta.changes === 1 }, { status: held.meta.changes === 1 ? 201 : 409 });
  }
  const [confirmed] = await env.DB.batch([
    env.DB.prepare("UPDATE bench_holds SET status = 'confirmed' WHERE id = ?1 AND status = 'pending'").bind(body.id),
    env.DB.prepare(
      "UPDATE bench_accounts SET balance = balance - (SELECT amount FROM bench_holds WHERE id = ?1), held = held - (SELECT amount FROM bench_holds WHERE id = ?1) WHERE id = (SELECT account FROM bench_holds WHERE id = ?1) AND changes() = 1",
    ).bind(body.id),
  ]);
  return Response.json({ confirmed: confirmed.meta.changes === 1 });
}
