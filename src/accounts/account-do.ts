import { DurableObject } from "cloudflare:workers";
import type { AuditEntry } from "../audit/audit-chain";
import { auditEntry, type Who } from "../audit/audit-entry";
import type { Env } from "../env";
import { KEY_PURGE_EVERY_MS, KEY_RETENTION_MS } from "../idempotency";
import { newId } from "../lib/ids";
import { sealed, type Decided, type Outcome } from "../lib/outcome";
import { isRefusal, refusalOutcome, refuse } from "../lib/refusal";
import { ensureSchema } from "../lib/sqlite-schema";
import { upgradeCounterSchema } from "../limits/counter-store";
import type { StoredCounter } from "../limits/counters-view";
import { TEST_ANSWER_DELAY_MS } from "../tenants/test-mode";
import { AccountAlarm } from "./account-alarm";
import type { AccountRef, LimitCheck, MemberCard, OperationScope } from "./account-ref";
import { ACCOUNT_SCHEMA, ACCOUNT_SCHEMA_VERSION } from "./account-schema";
import { AccountStorage, type StoredCard } from "./account-storage";
import { decideAnswer, decideRequest, newApprovalRequest, type Answer, type ApprovalRequest, type ApprovalStatus } from "./approval";
import { setStep } from "./authorization";
import { countCardLimits } from "./card-limits";
import { attemptCode, issueCode, LOGIN, smsStepRefusal } from "./code-steps";
import { decideCancel, decideConfirm, emptyAmounts, keyReused, planOperation, replanPurchase, type NewOperation, type OperationPolicy } from "./ledger";
import { closeQuietly, MemberPages } from "./member-pages";
import { historyEntry, type Balances, type JournalEntry, type Method, type OperationRecord, type PurchaseChange } from "./operation";
import { OperationWaits } from "./operation-waits";
import { claimRefund } from "./refund";


const MAX_WAIT_SECONDS = 30;




const operationNotFound = () => refusalOutcome(refuse("operation_not_found", "Operation not found"));

/**
 * One member account: balances, holds, operations, the journal, card statuses, approval requests and the member's
 * open pages, serialized by the object. Each call decides inside one `transactionSync`; only after it commits does
 * the object push to sockets, wake long polls, and (from the alarm) ship its outbox to D1.
 */
export class AccountDO extends DurableObject<Env> {
  /** The account's balances, holds, operations, journal and outbox, in this object's SQLite storage. */
  private readonly ledger: AccountStorage;
  private readonly clock: AccountAlarm;
  private readonly pages: MemberPages;
  private readonly waits = new OperationWaits();
  /** When this instance last dropped expired idempotency answers. */
  private purgedAt = 0;
  /** The account row is written (kept in memory only after the transaction that wrote it committed). */
  private remembered = false;
  /** Which account this is, once read from storage (it never changes). */
  private accountRef: AccountRef | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.ledger = new AccountStorage(ctx.storage.sql);
    this.clock = new AccountAlarm(ctx, env, this.ledger);
    this.pages = new MemberPages(ctx);
    ctx.blockConcurrencyWhile(async () => {
      ensureSchema(ctx.storage.sql, ACCOUNT_SCHEMA, ACCOUNT_SCHEMA_VERSION, () => upgradeCounterSchema(ctx.storage.sql));
      const alarmSet = await this.clock.wake();
      const awake = this.ledger.wake();
      // Outbox rows or holds with no alarm to see to them (an alarm lost with a crash mid-run): set one again.
      if (!alarmSet && (awake.outbox || awake.nextExpiry !== null || awake.nextTestAnswer !== null)) await this.clock.schedule();
    });
  }

  // ---- RPC: operations -------------------------------------------------------------------------------------

  async createOperation(account: AccountRef, input: NewOperation & { fingerprint: string; limits?: LimitCheck }): Promise<Outcome> {
    const outcome = this.transact<Outcome>(input.now, () => {
      const { answer: prior, record: existing } = this.ledger.replayOf(input.id);
      if (prior) {
        if (prior.fingerprint !== input.fingerprint) {
          return refusalOutcome(keyReused());
        }
        // The first answer goes out again as the text it was stored as.
        return { status: prior.status, json: prior.body };
      }
      if (existing) return { status: 201, body: existing.operation };
      this.remember(account);
      if (input.now - this.purgedAt >= KEY_PURGE_EVERY_MS) {
        // First answers older than the retention go, inside a transaction that writes anyway (at most hourly).
        this.ledger.forgetAnswersBefore(input.now - KEY_RETENTION_MS);
        this.purgedAt = input.now;
      }

      const request = input.request;
      if (request.type !== "refund") this.ledger.knownCard(request.card);
      const original = request.type === "refund" ? this.ledger.refundable(request.original_operation_id) : null;
      // An unknown original is not worth a stored answer: it will stay unknown.
      if (request.type === "refund" && !original) return operationNotFound();
      const plan = planOperation(input, this.ledger.view(), original);
      const refusal = isRefusal(plan) ? plan : countCardLimits(this.ledger, plan, input.limits, input.now, (key) => this.ledger.counters.counter(key));
      const outcome: Decided = refusal ? refusalOutcome(refusal) : { status: 201, body: (plan as OperationRecord).operation };
      this.ledger.rememberAnswer(input.id, input.fingerprint, outcome.status, outcome.body, input.now);
      if (refusal || isRefusal(plan)) return outcome;

      if (original && request.type === "refund") {
        claimRefund(original, plan);
        this.ledger.saveRecord(original, input.now);
      }
      plan.store_reserved = input.limits?.store_reserved ?? false;
      this.ledger.insertRecord(plan);
      return outcome;
    });
    await this.clock.schedule();
    return sealed(outcome);
  }

  /**
   * Reads an operation. With `wait` (seconds), answers as soon as the operation changes (or differs from the
   * `since` the caller last saw, its `updated_at`), else after `wait` seconds with the unchanged operation.
   */
  async getOperation(
    account: AccountRef,
    id: string,
    scope: OperationScope = {},
    options: { wait?: number; since?: string } = {},
    now = Date.now(),
  ): Promise<Decided> {
    const read = (at: number) =>
      this.transact(at, () => {
        const record = this.scoped(id, scope);
        return record ? { status: 200, body: record.operation } : operationNotFound();
      });
    const first = read(now);
    const wait = Math.min(options.wait ?? 0, MAX_WAIT_SECONDS);
    const seen = options.since === undefined || (first.body as { updated_at?: string }).updated_at === options.since;
    if (wait > 0 && first.status === 200 && seen) {
      await this.waits.changeOf(id, wait * 1000);
      return read(Date.now());
    }
    await this.clock.schedule();
    return first;
  }

  /** `by`: who confirms, for the audit entry of a change made by hand (a manual accrual or deduction). */
  async confirm(account: AccountRef, id: string, scope: OperationScope = {}, now = Date.now(), by: Who | null = null): Promise<Outcome> {
    const outcome = this.transact<Outcome>(now, () => {
      const record = this.scoped(id, scope);
      if (!record) return operationNotFound();
      const decision = decideConfirm(record.operation, now);
      switch (decision.kind) {
        case "already_confirmed":
          return { status: 200, body: record.operation };
        case "refuse":
          return refusalOutcome(decision.refusal);
        case "expire":
          this.ledger.close(record, "expired", now);
          return refusalOutcome(refuse("operation_not_pending", "The operation is expired", { status: "expired" }));
        case "post": {
          this.ledger.post(record, now);
          const op = record.operation;
          const manual = op.type === "manual_accrual" || op.type === "manual_deduction";
          const after = { card: op.card, method: op.method, amount: op.amount, reason: op.reason, store_id: op.store_id, register_id: op.register_id };
          return { status: 200, body: op, ...(manual && by ? { audit: this.audited(by, `aud_${op.id}`, `balance.${op.type}`, op.id, after, now) } : {}) };
        }
      }
    });
    await this.clock.schedule();
    return sealed(outcome);
  }

  /** `by`: the back office cancelling a till's hold, audited when this call released it. */
  async cancel(account: AccountRef, id: string, scope: OperationScope = {}, now = Date.now(), by: Who | null = null): Promise<Decided> {
    const outcome = this.transact<Decided>(now, () => {
      const record = this.scoped(id, scope);
      if (!record) return operationNotFound();
      const decision = decideCancel(record.operation);
      if (decision.kind === "refuse") return refusalOutcome(decision.refusal);
      if (decision.kind !== "release") return { status: 200, body: record.operation };
      this.ledger.close(record, "cancelled", now);
      const op = record.operation;
      const after = { status: op.status, card: op.card, register_id: op.register_id };
      return { status: 200, body: op, ...(by ? { audit: this.audited(by, `aud_cancel_${op.id}`, "operation.cancelled", op.id, after, now) } : {}) };
    });
    await this.clock.schedule();
    return outcome;
  }

  /** PATCH: a new cheque or payments for a pending purchase; re-holds, restarts authorization, supersedes a request. */
  async updateOperation(
    account: AccountRef,
    id: string,
    scope: OperationScope,
    change: PurchaseChange,
    policy: OperationPolicy,
    limits?: LimitCheck,
    now = Date.now(),
  ): Promise<Decided> {
    const outcome = this.transact(now, () => {
      const record = this.scoped(id, scope);
      if (!record) return operationNotFound();
      const plan = replanPurchase(record, change, policy, this.ledger.view(), now);
      if (isRefusal(plan)) return refusalOutcome(plan);
      // The card limits are checked as if this operation's own count were not there, then counted anew.
      const refusal = countCardLimits(this.ledger, plan, limits, now, (key) => this.ledger.counters.counterWithout(id, key), () =>
        this.ledger.counters.release(id),
      );
      if (refusal) return refusalOutcome(refusal);
      plan.store_reserved = record.store_reserved || (limits?.store_reserved ?? false);
      plan.counted = plan.counted || record.counted;
      this.ledger.replaceHolds(record, plan);
      this.ledger.saveRecord(plan, now);
      const pending = this.ledger.pendingRequest(id);
      if (pending) this.ledger.closeRequest(pending, "superseded", now);
      return { status: 200, body: plan.operation };
    });
    await this.clock.schedule();
    return outcome;
  }

  // ---- RPC: member approval (MobiSecure) -------------------------------------------------------------------

  /** "Request for Approval": stores the request, pushes it to every open page of the member, says if one got it. */
  async requestApproval(
    account: AccountRef,
    id: string,
    scope: OperationScope,
    options: { resend: boolean; store_name: string; register_name: string; test_answer?: "approve" | "reject" | null },
    now = Date.now(),
  ): Promise<Decided> {
    const sent: { request: ApprovalRequest | null } = { request: null };
    const outcome = this.transact(now, () => {
      const record = this.scoped(id, scope);
      if (!record) return operationNotFound();
      const decision = decideRequest({
        record,
        pending: this.ledger.pendingRequest(id),
        lastRequestAt: this.ledger.lastRequestTime(id),
        resend: options.resend,
        now,
      });
      if (isRefusal(decision)) return refusalOutcome(decision);
      if (decision.supersede) this.ledger.closeRequest(decision.supersede, "superseded", now);
      const created = newApprovalRequest(newId("apr"), record, record.approval.methods, record.approval.point_value, options, now);
      sent.request = created;
      this.ledger.insertRequest(created);
      if (options.test_answer) this.ledger.scheduleTestAnswer(created.id, options.test_answer, now + TEST_ANSWER_DELAY_MS);
      setStep(record, "approval", "pending");
      this.ledger.saveRecord(record, now);
      return { status: 201, body: { request: created } };
    });
    if (sent.request) {
      const delivered = this.pages.broadcast({ type: "approval_request", request: sent.request }) > 0;
      (outcome.body as { delivered?: boolean }).delivered = delivered;
    }
    await this.clock.schedule();
    return outcome;
  }

  /** The member's answer; the operation's authorization follows it and waiting cashiers wake at once. */
  async answerApproval(account: AccountRef, requestId: string, answer: Answer, now = Date.now()): Promise<Decided> {
    const outcome = this.transact(now, () => this.answer(requestId, answer, now));
    await this.clock.schedule();
    return outcome;
  }

  /** Inside a transaction: the member's answer to a request, or why it cannot be answered now. */
  private answer(requestId: string, answer: Answer, now: number): Decided {
    const request = this.ledger.request(requestId);
    if (!request) return refusalOutcome(refuse("approval_request_not_found", "Approval request not found"));
    const refusal = decideAnswer(request);
    if (refusal) return refusalOutcome(refusal);
    const status = answer === "approve" ? "approved" : "rejected";
    this.ledger.closeRequest(request, status, now);
    this.ledger.event(`evt_${request.id}_answered`, "approval_request.answered", new Date(now).toISOString(), { approval_request: { ...request, status, answered_at: new Date(now).toISOString() } });
    const record = this.ledger.record(request.operation_id)!;
    setStep(record, "approval", status);
    this.ledger.saveRecord(record, now);
    return { status: 200, body: request };
  }

  /**
   * Test mode: the answers test phones give by themselves, once due — each with its row's removal, in one
   * transaction. A request closed meanwhile (resent, cancelled, expired) is not answered; run again, nothing is.
   */
  private answerDueTestRequests(now: number): void {
    for (const due of this.ledger.dueTestAnswers(now)) {
      try {
        this.transact(now, () => {
          this.ledger.dropTestAnswer(due.request_id);
          this.answer(due.request_id, due.answer, now);
        });
      } catch (error) {
        // One answer that cannot be given must not hold up the outbox behind it: it is dropped, and said.
        console.warn(`test answer to ${due.request_id} not given:`, String(error));
        this.ledger.dropTestAnswer(due.request_id);
      }
    }
    if (now >= this.ledger.earliestTestAnswer) this.ledger.refreshTestAnswers();
  }

  async approvalRequests(account: AccountRef, status: ApprovalStatus | null, limit: number, after: string | null, now = Date.now()) {
    return this.transact(now, () => {
      const before = after ? this.ledger.requestSeq(after) : null;
      const rows = this.ledger.requests(status, limit + 1, before);
      return { data: rows.slice(0, limit), next_cursor: rows.length > limit ? rows[limit - 1].id : null };
    });
  }

  // ---- RPC: one-time SMS codes ----------------------------------------------------------------------------

  /**
   * Records a new code (its HMAC, made by the route) for an operation's SMS step, voiding the one before, within
   * the send limits. The route sends the SMS afterwards, and calls `forgetCode` if the provider refuses it.
   */
  async issueOperationCode(account: AccountRef, id: string, scope: OperationScope, hash: string, now = Date.now()): Promise<Decided> {
    const outcome = this.transact(now, () => {
      const record = this.scoped(id, scope);
      if (!record) return operationNotFound();
      const refusal = smsStepRefusal(record);
      if (refusal) return refusalOutcome(refusal);
      const issued = issueCode(this.ledger, id, hash, now);
      if (isRefusal(issued)) return refusalOutcome(issued);
      setStep(record, "sms_code", "pending");
      this.ledger.saveRecord(record, now);
      return {
        status: 201,
        body: { expires_at: new Date(issued.expires_at).toISOString(), issued_at: issued.issued_at, operation: record.operation },
      };
    });
    await this.clock.schedule();
    return outcome;
  }

  async verifyOperationCode(account: AccountRef, id: string, scope: OperationScope, hash: string, now = Date.now()): Promise<Decided> {
    const outcome = this.transact(now, () => {
      const record = this.scoped(id, scope);
      if (!record) return operationNotFound();
      const refusal = smsStepRefusal(record);
      if (refusal) return refusalOutcome(refusal);
      const decision = attemptCode(this.ledger, id, hash, now);
      if (decision) return refusalOutcome(decision);
      setStep(record, "sms_code", "verified");
      this.ledger.saveRecord(record, now);
      return { status: 200, body: record.operation };
    });
    await this.clock.schedule();
    return outcome;
  }

  /** A member signing in on the hosted page: the same rules, with "login" as the purpose. */
  async issueLoginCode(account: AccountRef, hash: string, now = Date.now()): Promise<Decided> {
    return this.transact(now, () => {
      this.remember(account);
      const issued = issueCode(this.ledger, LOGIN, hash, now);
      return isRefusal(issued) ? refusalOutcome(issued) : { status: 202, body: { issued_at: issued.issued_at } };
    });
  }

  async verifyLoginCode(account: AccountRef, hash: string, now = Date.now()): Promise<Decided> {
    return this.transact(now, () => {
      const decision = attemptCode(this.ledger, LOGIN, hash, now);
      return decision ? refusalOutcome(decision) : { status: 200, body: { verified: true } };
    });
  }

  /** Takes back a code whose SMS the provider refused. */
  async forgetCode(account: AccountRef, purpose: string, issuedAt: number, now = Date.now()): Promise<void> {
    this.transact(now, () => {
      this.ledger.forgetSend(purpose, issuedAt);
      const record = purpose === LOGIN ? null : this.ledger.record(purpose);
      if (record && record.steps.sms_code === "pending" && !this.ledger.code(purpose)) {
        setStep(record, "sms_code", "required");
        this.ledger.saveRecord(record, now);
      }
    });
    await this.clock.schedule();
  }

  // ---- RPC: cards and balances -----------------------------------------------------------------------------

  async addCard(account: AccountRef, number: string): Promise<MemberCard> {
    return this.transact(Date.now(), () => {
      this.remember(account);
      this.ledger.knownCard(number);
      return this.publicCard(account, number);
    });
  }

  // Each card change is audited in the transaction that made it (a card blocked again changes nothing, and logs nothing).

  async blockCard(account: AccountRef, number: string, reason: string, by: Who, now = Date.now()): Promise<Decided> {
    const outcome = this.transact<Decided>(now, () => {
      const card = this.knownCard(account, number);
      if (card.status !== "active") return { status: 200, body: this.publicCard(account, number) };
      this.ledger.updateCard({ ...card, status: "blocked", block_reason: reason });
      this.voidPendingOperations(number, now);
      this.ledger.event(newId("evt"), "card.blocked", new Date(now).toISOString(), { card: { number, member_id: account.member_id, status: "blocked", block_reason: reason, replaced_by: null } });
      return this.cardChanged(account, number, by, "card.blocked", now);
    });
    await this.clock.schedule();
    return outcome;
  }

  async unblockCard(account: AccountRef, number: string, by: Who, now = Date.now()): Promise<Decided> {
    const outcome = this.transact<Decided>(now, () => {
      const card = this.knownCard(account, number);
      if (card.status === "replaced") {
        return refusalOutcome(refuse("card_replaced", "A replaced card cannot be unblocked", { replaced_by: card.replaced_by }));
      }
      if (card.status !== "blocked") return { status: 200, body: this.publicCard(account, number) };
      this.ledger.updateCard({ ...card, status: "active", block_reason: null });
      return this.cardChanged(account, number, by, "card.unblocked", now);
    });
    await this.clock.schedule();
    return outcome;
  }

  /** `newIsFresh`: the route has just registered `newNumber` for this member (false on a repeat). */
  async replaceCard(account: AccountRef, number: string, newNumber: string, newIsFresh: boolean, by: Who, now = Date.now()): Promise<Decided> {
    const outcome = this.transact<Decided>(now, () => {
      const card = this.knownCard(account, number);
      if (card.status === "replaced") {
        if (card.replaced_by === newNumber) return { status: 200, body: this.publicCard(account, number) };
        return refusalOutcome(refuse("card_replaced", "The card was already replaced", { replaced_by: card.replaced_by }));
      }
      if (!newIsFresh) return refusalOutcome(refuse("card_number_taken", "This card number is already in use in this tenant"));
      this.ledger.updateCard({ ...card, status: "replaced", replaced_by: newNumber });
      this.voidPendingOperations(number, now);
      this.ledger.knownCard(newNumber);
      return this.cardChanged(account, number, by, "card.replaced", now);
    });
    await this.clock.schedule();
    return outcome;
  }

  /** The answer to a card change, with its audit entry: the card as it is now. */
  private cardChanged(account: AccountRef, number: string, by: Who, action: string, now: number): Decided {
    const card = this.publicCard(account, number);
    return { status: 200, body: card, audit: this.audited(by, newId("aud"), action, number, card, now) };
  }

  /** An audit entry of a change this transaction made, in its outbox (the route writes it at once as well). */
  private audited(by: Who, id: string, action: string, subjectId: string, after: unknown, now: number): AuditEntry {
    const entry = auditEntry(by, id, action, subjectId, { after }, new Date(now).toISOString());
    this.ledger.enqueue("audit", id, entry);
    return entry;
  }

  async summary(account: AccountRef, now = Date.now()): Promise<{ balances: Balances; cards: MemberCard[] }> {
    const summary = this.transact(now, () => ({
      balances: this.ledger.balances(),
      cards: this.ledger.cards().map((card) => ({ ...card, member_id: account.member_id })),
    }));
    await this.clock.schedule();
    return summary;
  }

  /** A limit's card counters in this account, with what is still held (expired holds released first). */
  async limitCounters(account: AccountRef, limitId: string, now = Date.now()): Promise<StoredCounter[]> {
    const counters = this.transact(now, () => this.ledger.counters.countersOf(limitId));
    await this.clock.schedule();
    return counters;
  }

  /** The journal entries not shipped to D1 yet: what a history read adds to D1's rows (read your writes). */
  async unshippedEntries(account: AccountRef): Promise<JournalEntry[]> {
    return this.ledger.unshippedEntries();
  }

  /** Everything the invariants speak of, for tests and audits: balances, holds and journal sums per method. */
  async audit(): Promise<{
    balances: Record<Method, number>;
    held: Record<Method, number>;
    journalSums: Record<Method, number>;
    journal: JournalEntry[];
    outboxSize: number;
  }> {
    const journal = this.ctx.storage.sql.exec<JournalEntry>("SELECT * FROM journal ORDER BY seq").toArray();
    const journalSums = emptyAmounts();
    for (const entry of journal) journalSums[entry.method] += entry.amount;
    // Storage, not memory: the invariants hold for what is written, and memory must agree with it.
    const stored = this.ledger.storedTotals();
    const view = this.ledger.view();
    if (JSON.stringify(stored) !== JSON.stringify({ balances: view.balances, held: view.held, incoming: view.incoming })) {
      throw new Error(`in-memory totals ${JSON.stringify(view)} differ from storage ${JSON.stringify(stored)}`);
    }
    return {
      balances: stored.balances,
      held: stored.held,
      journalSums,
      journal: journal.map((entry) => ({ ...entry })),
      outboxSize: this.ledger.outboxSize(),
    };
  }

  // ---- the member's open pages (WebSocket Hibernation API) -------------------------------------------------

  /** Accepts a member page's socket; the Worker has checked the session and the Origin before forwarding. */
  override async fetch(request: Request): Promise<Response> {
    return this.pages.accept(request);
  }

  /** Sessions that ended: their pages close, and an upgrade under one is refused from now on. */
  async endSessions(account: AccountRef, sessionIds: string[], now = Date.now()): Promise<void> {
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

  /**
   * Runs `decide` in one synchronous storage transaction, after expiring due holds; once it commits, tells the
   * member's pages and the waiting cashiers what changed.
   */
  private transact<T>(now: number, decide: () => T): T {
    this.ledger.takeChanges();
    let result: T;
    try {
      result = this.ctx.storage.transactionSync(() => {
        this.ledger.expireDue(now);
        const decided = decide();
        this.ledger.flushOutbox();
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




  private knownCard(account: AccountRef, number: string): StoredCard {
    this.remember(account);
    return this.ledger.knownCard(number);
  }

  private voidPendingOperations(card: string, now: number): void {
    for (const record of this.ledger.pendingOperationsOfCard(card)) this.ledger.close(record, "cancelled", now);
  }

  private publicCard(account: AccountRef, number: string): MemberCard {
    const { version: _version, ...card } = this.ledger.card(number)!;
    return { ...card, member_id: account.member_id };
  }
}
