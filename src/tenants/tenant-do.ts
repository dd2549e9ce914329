/**
 * One per tenant: what the whole tenant shares and needs one writer for. Today its hourly SMS budget (exact: every
 * SMS of the tenant asks here first); the `sms.budget_exhausted` alert goes to D1 through the object's outbox.
 * It is also the one sealer of the tenant's audit chain (`sealAudit`, keeping the head it sealed: `audit/audit-sealer.ts`)
 * and holds the tenant's open console pages
 * (`announce`: new alerts and alerts moved on, as they reach D1), and makes the tenant's day archives, one at a time
 * per day (`archiveDay`).
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { newId } from "../lib/ids";
import { ensureSchema } from "../lib/sqlite-schema";
import { budgetMetric, decideSms, giveBack, type BudgetHour, type SmsBudget } from "../sms/sms-budget";
import { shipAll } from "../history/outbox";
import { adoptAlertOutbox, OUTBOX_SCHEMA, OutboxStorage, upgradeOutbox } from "../history/outbox-storage";
import { AUDIT_SCHEMA, AuditSealer, type Verified } from "../audit/audit-sealer";
import { hmacHex } from "../lib/crypto";
import { serverSecret } from "../lib/server-secret";
import { tenantAlert, type TenantAlert } from "../limits/limit";
import type { ConsoleMessage } from "../operations/console-live";
import { messageText } from "./livemode";
import type { Refusal } from "../lib/refusal";
import { archiveKey, writeDayArchive, type ArchiveMade } from "../archive/day-archive";

/** The TenantDO's tables (docs/storage.md has a row for each). */
export const TENANT_SCHEMA = `${OUTBOX_SCHEMA}${AUDIT_SCHEMA}
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sms_budgets (budget TEXT PRIMARY KEY, start INTEGER NOT NULL, sent INTEGER NOT NULL, alerted INTEGER NOT NULL) WITHOUT ROWID;
`;
/**
 * Version 2: the outbox every object ships through (alerts of the alert_outbox of version 1 move into it).
 * Version 3: the outbox without AUTOINCREMENT.
 * Version 4: one hour per SMS budget (`sms_budgets`); the one row of version 3's `sms_budget` is the till's. The
 * audit sealer's tables (`audit_accepted`, `audit_seals`); its head stays in `meta`.
 */
const SCHEMA_VERSION = 4;
const ALERT_RETRY_MS = 5_000;
/** How long a console socket lives before its page must connect (and be signed in) again. */
const CONSOLE_SOCKET_MS = 10 * 60 * 1000;

export class TenantDO extends DurableObject<Env> {
  private readonly outbox: OutboxStorage;
  private readonly sealer: AuditSealer;
  /** The audit chain's steps run one after another (every D1 await lets other calls in). */
  private sealing: Promise<unknown> = Promise.resolve();
  /** The last ask of each date whose archive is being made: the next ask of that date waits for it. */
  private readonly archiving = new Map<string, Promise<ArchiveMade>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.outbox = new OutboxStorage(ctx.storage.sql);
    this.sealer = new AuditSealer(
      ctx.storage.sql,
      env.DB,
      (text) => hmacHex(`tillsafe:audit:${serverSecret(env)}`, text),
      (alert) => this.raise(alert),
      (fn) => ctx.storage.transactionSync(fn),
    );
    // A page's keep-alive is answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      ensureSchema(ctx.storage.sql, TENANT_SCHEMA, SCHEMA_VERSION, () => {
        upgradeOutbox(ctx.storage.sql);
        adoptAlertOutbox(ctx.storage.sql);
        adoptSingleBudget(ctx.storage.sql);
      });
      // An alert written by a transaction whose alarm was never set (the object died right after): set it now.
      if (this.outbox.hasRows() && (await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now());
    });
  }

  /**
   * One SMS of the tenant: `take` counts it (it is about to be sent), otherwise the budget is only looked at. Over
   * the budget: the refusal to answer (`rate_limited` with its retry_after), and the hour's first refusal raises the alert.
   */
  async sms(tenantId: string, budget: SmsBudget, perHour: number, take: boolean, now = Date.now()): Promise<Refusal | null> {
    const decision = this.ctx.storage.transactionSync(() => {
      const stored = this.hour(budget);
      const decided = decideSms(stored, budget, perHour, now, take);
      // A look that changes nothing writes nothing (every sign-in request looks).
      if (JSON.stringify(decided.hour) !== JSON.stringify(stored)) this.saveHour(budget, decided.hour);
      if (decided.kind === "refuse" && decided.raiseAlert) {
        const id = newId("alt");
        this.raise({
          id,
          type: "sms.budget_exhausted",
          scope_id: tenantId,
          metric: budgetMetric[budget],
          period: "hour",
          bound: perHour,
          value: decided.hour.sent,
          created_at: new Date(now).toISOString(),
        });
      }
      return decided;
    });
    if (decision.kind === "refuse" && decision.raiseAlert) await this.ctx.storage.setAlarm(Date.now());
    return decision.kind === "refuse" ? decision.refusal : null;
  }

  /** An SMS the provider refused: its place in the hour it was counted in comes back. */
  async smsNotSent(budget: SmsBudget, countedAt: number): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      const hour = giveBack(this.hour(budget), countedAt);
      if (hour) this.saveHour(budget, hour);
    });
  }

  /**
   * Chains the tenant's audit entries written since the last seal, after the head this object sealed (a head in D1
   * it did not write raises `audit.chain_broken` and seals nothing). The unique (tenant, seq) index in D1 refuses a
   * fork even if a second instance ever ran. Harmless to call again: with nothing unchained it reads the head and stops.
   */
  sealAudit(tenantId: string): Promise<number> {
    return this.inTurn(() => this.sealer.seal(tenantId));
  }

  /** Seals what waits, then walks the chain: valid, or the first entry changed (failing until a break is accepted). */
  verifyAudit(tenantId: string): Promise<Verified> {
    return this.inTurn(async () => {
      await this.sealer.seal(tenantId);
      return this.sealer.verify(tenantId);
    });
  }

  /** An owner accepted the chain as it now stands (acknowledging `audit.chain_broken` with a note): sealing goes on. */
  acceptAuditBreak(tenantId: string, alertId: string): Promise<Verified> {
    return this.inTurn(() => this.sealer.accept(tenantId, alertId));
  }

  private inTurn<T>(step: () => Promise<T>): Promise<T> {
    const run = this.sealing.catch(() => undefined).then(async () => {
      const result = await step();
      // A break found on the way raised its alert in the outbox: ship it now.
      if (this.outbox.hasRows() && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
      return result;
    });
    this.sealing = run;
    return run;
  }

  /** An alert of the whole tenant, into the outbox (inside the caller's transaction). */
  private raise(alert: TenantAlert): void {
    this.ctx.storage.sql.exec("INSERT INTO meta (key, value) VALUES ('tenant', ?) ON CONFLICT(key) DO NOTHING", alert.scope_id);
    this.outbox.enqueue("alert", alert.id, tenantAlert(alert));
    this.outbox.flush();
  }

  // ---- the tenant's open console pages (WebSocket Hibernation API) -----------------------------------------

  /** Accepts a console page's socket; the Worker checked the staff session and the Origin before forwarding. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("Expected a WebSocket upgrade", { status: 426 });
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, ["console"]);
    server.serializeAttachment({
      session: request.headers.get("x-tillsafe-session") ?? "",
      staff: request.headers.get("x-tillsafe-staff") ?? "",
      until: Date.now() + CONSOLE_SOCKET_MS,
      livemode: request.headers.get("x-tillsafe-livemode") !== "false",
    });
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Sends a message to every open console page of the tenant; answers how many got it. A socket older than
   * CONSOLE_SOCKET_MS is closed instead: its page connects again through the Worker, which checks the staff session
   * again (a member of staff removed or signed out stops getting alerts within that time).
   */
  announce(message: ConsoleMessage, now = Date.now()): number {
    const textFor = messageText(message);
    let sent = 0;
    for (const ws of this.ctx.getWebSockets("console")) {
      try {
        // A socket closed for an ended session is still listed until its close completes: it gets nothing more.
        if (ws.readyState !== WebSocket.OPEN) continue;
        const attachment = ws.deserializeAttachment() as { until?: number; livemode?: boolean } | null;
        if ((attachment?.until ?? 0) <= now) {
          ws.close(4002, "sign-in to be checked again");
          continue;
        }
        ws.send(textFor(attachment?.livemode ?? true));
        sent += 1;
      } catch {
        // a socket closing under us: the others still get it
      }
    }
    return sent;
  }

  /**
   * A staff session ended (signed out), or a member of staff's access changed (password, role, removal): their
   * console sockets close at once, before anything more is sent to them. `except`: the session that made the change.
   */
  closeConsoles(which: { session: string } | { staff: string; except?: string }): number {
    let closed = 0;
    for (const ws of this.ctx.getWebSockets("console")) {
      const attachment = ws.deserializeAttachment() as { session?: string; staff?: string } | null;
      const ends = "session" in which ? attachment?.session === which.session : attachment?.staff === which.staff && attachment?.session !== which.except;
      if (!ends) continue;
      try {
        ws.close(4001, "signed out");
        closed += 1;
      } catch {
        // already closing
      }
    }
    return closed;
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  /**
   * Makes a day's archive in R2 (src/archive/day-archive.ts); what came of it. The asks of one date are made one
   * after another, so two never write the same object at once and a second finds the first's: one there already is
   * kept — but for good (`final`, before the day's rows leave D1) only one made for good is, and an earlier one is
   * made again from what D1 holds now.
   */
  async archiveDay(tenantId: string, date: string, start: string, end: string, final = false): Promise<ArchiveMade> {
    const before = this.archiving.get(date) ?? Promise.resolve<ArchiveMade>("made");
    const making = before
      .catch(() => undefined)
      .then(async (): Promise<ArchiveMade> => {
        const kept = await this.env.ARCHIVE.head(archiveKey(tenantId, date));
        if (kept && (!final || kept.customMetadata?.final === "true")) return "made";
        return writeDayArchive(this.env, tenantId, date, { start, end }, { final });
      })
      .catch((): ArchiveMade => "shard_unavailable");
    this.archiving.set(date, making);
    void making.finally(() => {
      if (this.archiving.get(date) === making) this.archiving.delete(date);
    });
    return making;
  }

  /** Outbox rows not shipped yet, for tests and audits. */
  async outboxSize(): Promise<number> {
    return this.outbox.size();
  }

  override async alarm(): Promise<void> {
    const tenantId = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'tenant'").toArray()[0]?.value;
    if (!tenantId) return;
    try {
      await shipAll(this.env, { tenant_id: tenantId, member_id: null }, this.outbox);
    } catch (error) {
      console.warn("tenant outbox shipment failed:", String(error));
      await this.ctx.storage.setAlarm(Date.now() + ALERT_RETRY_MS);
    }
  }

  private hour(budget: SmsBudget): BudgetHour | null {
    const row = this.ctx.storage.sql
      .exec<{ start: number; sent: number; alerted: number }>("SELECT start, sent, alerted FROM sms_budgets WHERE budget = ?", budget)
      .toArray()[0];
    return row ? { start: row.start, sent: row.sent, alerted: row.alerted === 1 } : null;
  }

  private saveHour(budget: SmsBudget, hour: BudgetHour): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO sms_budgets (budget, start, sent, alerted) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT(budget) DO UPDATE SET start = ?2, sent = ?3, alerted = ?4`,
      budget,
      hour.start,
      hour.sent,
      hour.alerted ? 1 : 0,
    );
  }
}

/** Version 3 kept one hour for every SMS: it was the till's budget (sign-in codes start afresh). */
function adoptSingleBudget(sql: SqlStorage): void {
  const old = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sms_budget'").toArray();
  if (old.length === 0) return;
  sql.exec("INSERT OR IGNORE INTO sms_budgets (budget, start, sent, alerted) SELECT 'sms_per_hour', start, sent, alerted FROM sms_budget");
  sql.exec("DROP TABLE sms_budget");
}
