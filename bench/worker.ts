/**
 * The bench-only Worker: Tillsafe itself, plus what the benchmark compares it with —
 *   /bench/noop       a request through the Worker to a Durable Object RPC that does nothing (the platform ceiling;
 *                     as a POST it reads its body and answers `?bytes=N` bytes, to mirror a Tillsafe request's shape);
 *   /bench/d1/...     the plain-D1 peer (bench/plain-d1.ts): hold and confirm in one D1 batch each, the design a
 *                     team would build without objects — with Tillsafe's contract (/bench/d1/operations, through
 *                     Tillsafe's app) and bare (/bench/d1/hold, /bench/d1/confirm).
 */
import { DurableObject } from "cloudflare:workers";
import app from "../src/index";
import type { Env } from "../src/env";
import { bareD1Ledger, plainD1Routes } from "./plain-d1";

export { AccountDO, HistoryWriterDO, StoreDO, TenantDO, WebhookDO } from "../src/index";

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

plainD1Routes(app);

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
    if (path.startsWith("/bench/d1/") && !path.startsWith("/bench/d1/operations")) return bareD1Ledger(request, env, path);
    return app.fetch(request, env, ctx);
  },
};
