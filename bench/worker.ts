/**
 * The bench-only Worker: Tillsafe itself, plus what the benchmark compares it with —
 *   /bench/noop       a request through the Worker to a Durable Object RPC that does nothing (the platform ceiling;
 *                     as a POST it reads its body and answers `?bytes=N` bytes, to mirror a Tillsafe request's shape);
 *   /bench/d1/hold    a plain-D1 ledger (no Durable Objects): hold with a conditional UPDATE,
 *   /bench/d1/confirm and confirm it, in one D1 batch each — the design a team would build without objects.
 */
import { DurableObject } from "cloudflare:workers";
import app from "../src/index";
import type { Env } from "../src/env";

export { AccountDO, HistoryWriterDO, StoreDO, WebhookDO } from "../src/index";

export class NoopDO extends DurableObject {
  async ping(): Promise<number> {
    return 1;
  }

  /** A bare Durable Object write: one row in one transaction, for calibrating the ceiling. */
  async write(): Promise<number> {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS w (id INTEGER PRIMARY KEY, at INTEGER)");
    this.ctx.storage.sql.exec("INSERT INTO w (at) VALUES (?)", Date.now());
    return 1;
  }
}

type BenchEnv = Env & { NOOP: DurableObjectNamespace<NoopDO> };

let ledgerReady: Promise<unknown> | null = null;

function ledger(db: D1Database) {
  ledgerReady ??= db.batch([
    db.prepare("CREATE TABLE IF NOT EXISTS bench_accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL, held INTEGER NOT NULL)"),
    db.prepare("CREATE TABLE IF NOT EXISTS bench_holds (id TEXT PRIMARY KEY, account TEXT NOT NULL, amount INTEGER NOT NULL, status TEXT NOT NULL)"),
  ]);
  return ledgerReady;
}

async function d1Ledger(request: Request, env: BenchEnv, path: string): Promise<Response> {
  await ledger(env.DB);
  const body = (await request.json()) as { account: string; id?: string; amount?: number; balance?: number };
  if (path === "/bench/d1/open") {
    await env.DB.prepare("INSERT OR REPLACE INTO bench_accounts (id, balance, held) VALUES (?, ?, 0)").bind(body.account, body.balance).run();
    return Response.json({ ok: true });
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

export default {
  async fetch(request: Request, env: BenchEnv, ctx: ExecutionContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/bench/noop") {
      // A POST is a no-op shaped like a Tillsafe request: its body is read, and `?bytes=N` pads the answer to N bytes.
      if (request.method === "POST") await request.text();
      const ok = await env.NOOP.get(env.NOOP.idFromName("noop")).ping();
      const bytes = Number(new URL(request.url).searchParams.get("bytes") ?? 0);
      return Response.json(bytes > 0 ? { ok, pad: "x".repeat(Math.max(0, bytes - 17)) } : { ok });
    }
    if (path === "/bench/write") return Response.json({ ok: await env.NOOP.get(env.NOOP.idFromName("noop")).write() });
    if (path.startsWith("/bench/d1/")) return d1Ledger(request, env, path);
    return app.fetch(request, env, ctx);
  },
};
