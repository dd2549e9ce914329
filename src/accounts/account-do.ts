import { DurableObject } from "cloudflare:workers";
import type { Who } from "../audit/audit-entry";
import type { Env } from "../env";
import { KEY_PURGE_EVERY_MS, KEY_RETENTION_MS } from "../lib/ids";
import { done, doneAsText, valueOf, type Result } from "../lib/outcome";
import { isRefusal, keyReused } from "../lib/refusal";
import { ensureSchema } from "../lib/sqlite-schema";
import type { StoredCounter } from "../limits/counters-view";
import { AccountAlarm } from "./account-alarm";
import { answerRequest, requestApproval, requestsPage, type ApprovalAsk } from "./account-approvals";
import { addCard, blockCard, replaceCard, unblockCard } from "./account-cards";
import { cancelOperation, changePurchase, confirmOperation, createOperation, expireDue, replayedCreate, type NewOperationCall } from "./account-operations";
import type { AccountRef, KeyedRequest, LimitCheck, MemberCard, OperationScope } from "./account-ref";
import { ACCOUNT_SCHEMA, ACCOUNT_SCHEMA_VERSION, upgradeAccountSchema } from "./account-schema";
import { AccountStorage } from "./account-storage";
import { operationNotFound, type AccountTx } from "./account-tx";
import type { Answer, AnswerVia, ApprovalRequest, ApprovalStatus } from "./approval";
import { forgetCode, issueLoginCode, issueOperationCode, verifyLoginCode, verifyOperationCode, type IssuedCode } from "./code-steps";
import { invariantsOf, type Invariants } from "./account-invariants";
import type { OperationPolicy } from "./ledger";
import { closeQuietly, MemberPages } from "./member-pages";
import { historyEntry, type Balances, type JournalEntry, type Operation, type OperationRecord, type PurchaseChange } from "./operation";
import { entriesOfOperation, journalPage } from "./journal-rows";
import { OperationWaits } from "./operation-waits";

const MAX_WAIT_SECONDS = 30;

/**
 * One member account: balances, holds, operations, the journal, card statuses, approval requests and the member's
 * open pages, serialized by the object. Each call decides inside one `transactionSync`; only after it commits does
 * the object push to sockets, wake long polls, and ship its outbox to D1 (at once, with the alarm behind it). Every call answers a named
 * result (lib/outcome.ts): done with its value, or a refusal with its API code; the routes make answers of them.
 * Only the calls that may be the account's first write take its `AccountRef` (the object remembers it then).
 */
export class AccountDO extends DurableObject<Env> {
  /** The account's balances, holds, operations, journal and outbox, in this object's SQLite storage. */
  private readonly ledger: AccountStorage;
  private readonly clock: AccountAlarm;
  private readonly pages: MemberPages;
  private readonly waits = new OperationWaits();
  /** What the decisions of each call work with (account-tx.ts). */
  private readonly tx: AccountTx;
  /** When this instance last dropped expired idempotency answers. */
  private purgedAt = 0;
  /** The account row is written (kept in memory only after the transaction that wrote it committed). */
  private remembered = false;
  /** Which account this is, once read from storage (it never changes). */
  private accountRef: AccountRef | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.ledger = new AccountStorage(ctx.storage.sql);
    this.tx = { ledger: this.ledger, remember: (account) => this.remember(account), scoped: (id, scope) => this.scoped(id, scope) };
    this.clock = new AccountAlarm(ctx, env, this.ledger, () => this.account());
    this.pages = new MemberPages(ctx);
    ctx.blockConcurrencyWhile(async () => {
      ensureSchema(ctx.storage.sql, ACCOUNT_SCHEMA, ACCOUNT_SCHEMA_VERSION, () => upgradeAccountSchema(ctx.storage.sql));
      const alarmSet = await this.clock.wake();
      const awake = this.ledger.wake();
      // Outbox rows or holds with no alarm to see to them (an alarm lost with a crash mid-run): set one again.
      if (!alarmSet && (awake.outbox || awake.nextExpiry !== null || awake.nextTestAnswer !== null)) await this.clock.schedule();
    });
  }

  // ---- RPC: operations -------------------------------------------------------------------------------------

  async createOperation(account: AccountRef, input: NewOperationCall): Promise<Result<Operation>> {
    const result = await this.decide<Result<Operation>>(input.now, () => {
      const replayed = replayedCreate(this.tx, input);
      if (replayed) return replayed;
      this.remember(account);
      if (input.now - this.purgedAt >= KEY_PURGE_EVERY_MS) {
        // First answers older than the retention go, inside a transaction that writes anyway (at most hourly).
        this.ledger.answers.forgetBefore(input.now - KEY_RETENTION_MS);
        this.purgedAt = input.now;
      }
      return createOperation(this.tx, input);
    });
    return doneAsText(result);
  }

  /**
   * Reads an operation. With `wait` (seconds), answers as soon as the operation changes (or differs from the
   * `since` the caller last saw, its `updated_at`), else after `wait` seconds with the unchanged operation.
   */
  async getOperation(id: string, scope: OperationScope = {}, options: { wait?: number; since?: string } = {}, now = Date.now()): Promise<Result<Operation>> {
    const read = (at: number): Result<Operation> =>
      this.transact(at, () => {
        const record = this.scoped(id, scope);
        return record ? done(record.operation) : operationNotFound();
      });
    const first = read(now);
    const wait = Math.min(options.wait ?? 0, MAX_WAIT_SECONDS);
    if (wait > 0 && !isRefusal(first) && (options.since === undefined || valueOf(first).updated_at === options.since)) {
      await this.waits.changeOf(id, wait * 1000);
      return read(Date.now());
    }
    await this.clock.schedule();
    return first;
  }

  /**
   * `by`: who confirms, for the audit entry of a change made by hand (a manual accrual or deduction). `keyed`: the
   * request's Idempotency-Key and fingerprint: its first answer is kept in the operation's row, and a repeat of the
   * key gets it again (a different request under it: `idempotency_key_reused`), in the same transaction.
   */
  async confirm(id: string, scope: OperationScope = {}, now = Date.now(), by: Who | null = null, keyed: KeyedRequest | null = null): Promise<Result<Operation>> {
    return doneAsText(
      await this.decide(now, () => {
        if (!keyed || !this.tx.scoped(id, scope)) return confirmOperation(this.tx, id, scope, now, by);
        const answers = this.ledger.answers.confirmAnswers(id);
        const first = answers.first(keyed.key);
        if (first) return first.fingerprint === keyed.fingerprint ? first.result : keyReused();
        const result = doneAsText(confirmOperation(this.tx, id, scope, now, by));
        answers.remember(keyed, result);
        return result;
      }),
    );
  }

  /** `by`: the back office cancelling a till's hold, audited when this call released it. */
  async cancel(id: string, scope: OperationScope = {}, now = Date.now(), by: Who | null = null): Promise<Result<Operation>> {
    return this.decide(now, () => cancelOperation(this.tx, id, scope, now, by));
  }

  /** PATCH: a new cheque or payments for a pending purchase; re-holds, restarts authorization, supersedes a request. */
  async updateOperation(id: string, scope: OperationScope, change: PurchaseChange, policy: OperationPolicy, limits?: LimitCheck, now = Date.now()): Promise<Result<Operation>> {
    return this.decide(now, () => changePurchase(this.tx, id, scope, change, policy, limits, now));
  }

  // ---- RPC: member approval (MobiSecure) -------------------------------------------------------------------

  /** "Request for Approval": stores the request, pushes it to every open page of the member, says if one got it. */
  async requestApproval(id: string, scope: OperationScope, ask: ApprovalAsk, now = Date.now()): Promise<Result<{ request: ApprovalRequest; delivered: boolean }>> {
    const made = this.transact(now, () => requestApproval(this.tx, id, scope, ask, now));
    await this.clock.schedule();
    if (isRefusal(made)) return made;
    const request = valueOf(made);
    return done({ request, delivered: this.pages.broadcast({ type: "approval_request", request }) > 0 });
  }

  /** The member's answer; the operation's authorization follows it and waiting cashiers wake at once. */
  async answerApproval(requestId: string, answer: Answer, now = Date.now(), via: AnswerVia = "member"): Promise<Result<ApprovalRequest>> {
    return this.decide(now, () => answerRequest(this.tx, requestId, answer, now, via));
  }

  /**
   * Test mode: the answers test phones give by themselves, once due — each with its row's removal, in one
   * transaction. A request closed meanwhile (resent, cancelled, expired) is not answered; run again, nothing is.
   */
  private answerDueTestRequests(now: number): void {
    for (const due of this.ledger.requests.dueTestAnswers(now)) {
      try {
        this.transact(now, () => {
          this.ledger.requests.dropTestAnswer(due.request_id);
          answerRequest(this.tx, due.request_id, due.answer, now);
        });
      } catch (error) {
        // One answer that cannot be given must not hold up the outbox behind it: it is dropped, and said.
        console.warn(`test answer to ${due.request_id} not given:`, String(error));
        this.ledger.requests.dropTestAnswer(due.request_id);
      }
    }
    if (now >= this.ledger.requests.earliestTestAnswer) this.ledger.requests.refreshTestAnswers();
  }

  async approvalRequests(status: ApprovalStatus | null, limit: number, after: string | null, now = Date.now()) {
    return this.transact(now, () => requestsPage(this.tx, status, limit, after));
  }

  // ---- RPC: reads ------------------------------------------------------------------------------------------

  async summary(account: AccountRef, now = Date.now()): Promise<{ balances: Balances; cards: MemberCard[] }> {
    return this.decide(now, () => ({
      balances: this.ledger.balances(),
      cards: this.ledger.cards.all().map((card) => ({ ...card, member_id: account.member_id })),
    }));
  }

  /** A limit's card counters in this account, with what is still held (expired holds released first). */
  async limitCounters(limitId: string, now = Date.now()): Promise<StoredCounter[]> {
    return this.decide(now, () => this.ledger.counters.countersOf(limitId));
  }

  /** A page of the member's history, newest first, before `beforeSeq`: the account holds its whole journal. */
  async history(beforeSeq: number | null, limit: number): Promise<JournalEntry[]> {
    return journalPage(this.ctx.storage.sql, beforeSeq, limit);
  }

  /** What one operation posted to the member's balances, in the order it posted. */
  async entriesOf(operationId: string): Promise<JournalEntry[]> {
    return entriesOfOperation(this.ctx.storage.sql, operationId);
  }

  /** Everything the invariants speak of, for tests and audits (account-invariants.ts). */
  async audit(): Promise<Invariants> {
    return invariantsOf(this.ctx.storage.sql, this.ledger);
  }

  // ---- RPC: one-time SMS codes (code-steps.ts) ------------------------------------------------------------

  async issueOperationCode(id: string, scope: OperationScope, hash: string, now = Date.now()): Promise<Result<IssuedCode>> {
    return this.decide(now, () => issueOperationCode(this.tx, id, scope, hash, now));
  }

  async verifyOperationCode(id: string, scope: OperationScope, hash: string, now = Date.now()): Promise<Result<Operation>> {
    return this.decide(now, () => verifyOperationCode(this.tx, id, scope, hash, now));
  }

  async issueLoginCode(account: AccountRef, hash: string, now = Date.now()): Promise<Result<{ issued_at: number }>> {
    return this.transact(now, () => issueLoginCode(this.tx, account, hash, now));
  }

  async verifyLoginCode(hash: string, now = Date.now()): Promise<Result<{ verified: true }>> {
    return this.transact(now, () => verifyLoginCode(this.tx, hash, now));
  }

  async forgetCode(purpose: string, issuedAt: number, now = Date.now()): Promise<void> {
    return this.decide(now, () => forgetCode(this.tx, purpose, issuedAt, now));
  }

  // ---- RPC: cards (account-cards.ts) -----------------------------------------------------------------------

  async addCard(account: AccountRef, number: string): Promise<MemberCard> {
    return this.transact(Date.now(), () => addCard(this.tx, account, number));
  }

  async blockCard(account: AccountRef, number: string, reason: string, by: Who, now = Date.now()): Promise<Result<MemberCard>> {
    return this.decide(now, () => blockCard(this.tx, account, number, reason, by, now));
  }

  async unblockCard(account: AccountRef, number: string, by: Who, now = Date.now()): Promise<Result<MemberCard>> {
    return this.decide(now, () => unblockCard(this.tx, account, number, by, now));
  }

  async replaceCard(account: AccountRef, number: string, newNumber: string, newIsFresh: boolean, by: Who, now = Date.now()): Promise<Result<MemberCard>> {
    return this.decide(now, () => replaceCard(this.tx, account, number, newNumber, newIsFresh, by, now));
  }

  // ---- the member's open pages (WebSocket Hibernation API) -------------------------------------------------

  /** Accepts a member page's socket; the Worker has checked the session and the Origin before forwarding. */
  override async fetch(request: Request): Promise<Response> {
    return this.pages.accept(request);
  }

  /** Sessions that ended: their pages close, and an upgrade under one is refused from now on. */
  async endSessions(sessionIds: string[], now = Date.now()): Promise<void> {
    this.pages.endSessions(sessionIds, now);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // The page only listens; "ping" is answered by the auto-response without waking the object.
    if (message === "balances") ws.send(JSON.stringify({ type: "balance", balances: this.ledger.balances() }));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, "closing");
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    closeQuietly(ws, 1011, "error");
  }

  // ---- alarm: expiry and outbox shipment -------------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.clock.rang();
    const account = this.account();
    if (!account) return;
    // Expires due holds: a transaction only when one may be due.
    if (this.ledger.mayBeDue(Date.now())) this.transact(Date.now(), () => undefined);
    this.answerDueTestRequests(Date.now());
    await this.clock.shipAndSchedule(account);
  }

  // ---- inside the transaction ------------------------------------------------------------------------------

  /** `transact`, then the alarm set for what the transaction left to do (an expiry, an outbox shipment). */
  private async decide<T>(now: number, decide: () => T): Promise<T> {
    const result = this.transact(now, decide);
    await this.clock.schedule();
    return result;
  }

  /**
   * Runs `decide` in one synchronous storage transaction, after expiring due holds; once it commits, tells the
   * member's pages and the waiting cashiers what changed, and ships what it wrote to the outbox.
   */
  private transact<T>(now: number, decide: () => T): T {
    this.ledger.takeChanges();
    let result: T;
    let wrote = false;
    try {
      result = this.ctx.storage.transactionSync(() => {
        expireDue(this.tx, now);
        const decided = decide();
        wrote = this.ledger.outbox.flush();
        return decided;
      });
    } catch (error) {
      // The transaction rolled back: what this object believed it had written may not be there.
      this.ledger.takeChanges();
      this.ledger.forgetCachedState();
      this.remembered = false;
      throw error;
    }
    this.notify();
    if (wrote) this.clock.shipNow();
    return result;
  }

  private notify(): void {
    const { operations, closedRequests, entries, balances } = this.ledger.takeChanges();
    for (const request of closedRequests) this.pages.broadcast({ type: "approval_request_closed", request });
    if (balances) this.pages.broadcast(() => ({ type: "balance", balances: this.ledger.balances() }));
    // The page's history is D1's projection; new entries go to it live, newest first, in the history entry shape.
    if (entries.length > 0) this.pages.broadcast(() => ({ type: "history", entries: entries.map(historyEntry).reverse() }));
    this.waits.wake(operations);
  }

  /** Records which account this object is, the first time something is written to it (the outbox needs it). */
  private remember(account: AccountRef): void {
    if (this.remembered) return;
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account', ?)", JSON.stringify(account));
    this.remembered = true;
  }

  private account(): AccountRef | null {
    if (this.accountRef) return this.accountRef;
    const row = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'account'").toArray()[0];
    this.accountRef = row ? (JSON.parse(row.value) as AccountRef) : null;
    return this.accountRef;
  }

  /** An operation as the caller may see it: a register sees only its own operations. */
  private scoped(id: string, scope: OperationScope): OperationRecord | null {
    const record = this.ledger.record(id);
    if (!record || (scope.register_id !== undefined && record.operation.register_id !== scope.register_id)) return null;
    return record;
  }
}
