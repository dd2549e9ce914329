import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { StoredCounter } from "../limits/counters-view";
import { KEY_PURGE_EVERY_MS, KEY_RETENTION_MS } from "../idempotency";
import { SESSION_ABSOLUTE_MS } from "../auth/member-sessions";
import { constantTimeEqual } from "../lib/crypto";
import { newId } from "../lib/ids";
import type { AuditEntry } from "../audit/audit-chain";
import { auditEntry, type Who } from "../audit/audit-entry";
import { TEST_ANSWER_DELAY_MS } from "../tenants/test-mode";
import { sealed, type Decided, type Outcome } from "../lib/outcome";
import { ensureSchema } from "../lib/sqlite-schema";
import { upgradeCounterSchema } from "../limits/counter-store";
import { ACCOUNT_SCHEMA, ACCOUNT_SCHEMA_VERSION } from "./account-schema";
import { AccountStorage, noChanges, type StoredCard } from "./account-storage";
import { decideIssue, decideVerify, newCode, type CodeState } from "../auth/one-time-code";
import { setStep } from "./authorization";
import { decideAnswer, decideRequest, newApprovalRequest, type Answer, type ApprovalRequest, type ApprovalStatus } from "./approval";
import {
  decideCancel,
  decideConfirm,
  emptyAmounts,
  keyReused,
  planOperation,
  replanPurchase,
  type NewOperation,
  type OperationPolicy,
} from "./ledger";
import { historyEntry, METHODS, type Balances, type Card, type JournalEntry, type Method, type OperationRecord, type PurchaseChange } from "./operation";
import { shipOutbox } from "./outbox";
import { claimRefund } from "./refund";
import { decisionRefusal, evaluateLimits, type Counter, type CounterKey } from "../limits/evaluate";
import type { Limit, OperationFacts } from "../limits/limit";
import { messageText } from "../tenants/livemode";
import { isRefusal, refusalOutcome, refuse, type Refusal } from "../lib/refusal";

/** Which account an object is: the tenant from the caller's credential and the member. */
export interface AccountRef {
  tenant_id: string;
  member_id: string;
}

/** Limits what a caller may see: a terminal key sees only its own register's operations. */
export interface OperationScope {
  register_id?: string;
}

export interface MemberCard extends Card {
  member_id: string;
}

/** The longest back-off between outbox shipments while D1 refuses them. */
const OUTBOX_RETRY_MAX_MS = 5 * 60 * 1000;
const OUTBOX_BATCH = 200;
const OUTBOX_DELAY_MS = 1000;
const MAX_WAIT_SECONDS = 30;
const SOCKET_OPEN = 1;

const LOGIN = "login";

/** The limits an operation is checked against here (card scope), and whether its StoreDO counted the others. */
export interface LimitCheck {
  card: Limit[];
  time_zone: string;
  store_reserved: boolean;
}

function smsStepRefusal(record: OperationRecord): Refusal | null {
  const op = record.operation;
  if (op.status !== "pending") return refuse("operation_not_pending", `The operation is ${op.status}`, { status: op.status });
  if (record.steps.sms_code === undefined) {
    return refuse("sms_code_not_required", "This operation does not need an SMS code", { authorization: op.authorization });
  }
  if (record.steps.sms_code === "verified") return refuse("already_verified", "The code for this operation was already verified");
  return null;
}

const operationNotFound = () => refusalOutcome(refuse("operation_not_found", "Operation not found"));

/**
 * One member account: balances, holds, operations, the journal, card statuses, approval requests and the member's
 * open pages, serialized by the object. Each call decides inside one `transactionSync`; only after it commits does
 * the object push to sockets, wake long polls, and (from the alarm) ship its outbox to D1.
 */
export class AccountDO extends DurableObject<Env> {
  private readonly store: AccountStorage;
  private alarmAt: number | null = null;
  private shipFailures = 0;
  private shipRetryAt = 0;
  /** When this instance last dropped expired idempotency answers. */
  private purgedAt = 0;
  /** The account row is written (kept in memory only after the transaction that wrote it committed). */
  private remembered = false;
  /** Which account this is, once read from storage (it never changes). */
  private accountRef: AccountRef | null = null;
  /** Long polls waiting for an operation to change, by operation id. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new AccountStorage(ctx.storage.sql);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      ensureSchema(ctx.storage.sql, ACCOUNT_SCHEMA, ACCOUNT_SCHEMA_VERSION, () => upgradeCounterSchema(ctx.storage.sql));
      this.alarmAt = await ctx.storage.getAlarm();
      const awake = this.store.wake();
      // Outbox rows or holds with no alarm to see to them (an alarm lost with a crash mid-run): set one again.
      if (this.alarmAt === null && (awake.outbox || awake.nextExpiry !== null || awake.nextTestAnswer !== null)) await this.scheduleAlarm();
    });
  }

  // ---- RPC: operations -------------------------------------------------------------------------------------

  async createOperation(account: AccountRef, input: NewOperation & { fingerprint: string; limits?: LimitCheck }): Promise<Outcome> {
    const outcome = this.transact<Outcome>(input.now, () => {
      const { answer: prior, record: existing } = this.store.replayOf(input.id);
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
        this.store.forgetAnswersBefore(input.now - KEY_RETENTION_MS);
        this.purgedAt = input.now;
      }

      const request = input.request;
      if (request.type !== "refund") this.store.knownCard(request.card);
      const original = request.type === "refund" ? this.store.refundable(request.original_operation_id) : null;
      // An unknown original is not worth a stored answer: it will stay unknown.
      if (request.type === "refund" && !original) return operationNotFound();
      const plan = planOperation(input, this.store.view(), original);
      const refusal = isRefusal(plan) ? plan : this.countCardLimits(plan, input.limits, input.now, (key) => this.store.counters.counter(key));
      const outcome: Decided = refusal ? refusalOutcome(refusal) : { status: 201, body: (plan as OperationRecord).operation };
      this.store.rememberAnswer(input.id, input.fingerprint, outcome.status, outcome.body, input.now);
      if (refusal || isRefusal(plan)) return outcome;

      if (original && request.type === "refund") {
        claimRefund(original, plan);
        this.store.saveRecord(original, input.now);
      }
      plan.store_reserved = input.limits?.store_reserved ?? false;
      this.store.insertRecord(plan);
      return outcome;
    });
    await this.scheduleAlarm();
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
      await this.changeOf(id, wait * 1000);
      return read(Date.now());
    }
    await this.scheduleAlarm();
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
          this.store.close(record, "expired", now);
          return refusalOutcome(refuse("operation_not_pending", "The operation is expired", { status: "expired" }));
        case "post": {
          this.store.post(record, now);
          const op = record.operation;
          const manual = op.type === "manual_accrual" || op.type === "manual_deduction";
          const after = { card: op.card, method: op.method, amount: op.amount, reason: op.reason, store_id: op.store_id, register_id: op.register_id };
          return { status: 200, body: op, ...(manual && by ? { audit: this.audited(by, `aud_${op.id}`, `balance.${op.type}`, op.id, after, now) } : {}) };
        }
      }
    });
    await this.scheduleAlarm();
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
      this.store.close(record, "cancelled", now);
      const op = record.operation;
      const after = { status: op.status, card: op.card, register_id: op.register_id };
      return { status: 200, body: op, ...(by ? { audit: this.audited(by, `aud_cancel_${op.id}`, "operation.cancelled", op.id, after, now) } : {}) };
    });
    await this.scheduleAlarm();
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
      const plan = replanPurchase(record, change, policy, this.store.view(), now);
      if (isRefusal(plan)) return refusalOutcome(plan);
      // The card limits are checked as if this operation's own count were not there, then counted anew.
      const refusal = this.countCardLimits(plan, limits, now, (key) => this.store.counters.counterWithout(id, key), () =>
        this.store.counters.release(id),
      );
      if (refusal) return refusalOutcome(refusal);
      plan.store_reserved = record.store_reserved || (limits?.store_reserved ?? false);
      plan.counted = plan.counted || record.counted;
      this.store.replaceHolds(record, plan);
      this.store.saveRecord(plan, now);
      const pending = this.store.pendingRequest(id);
      if (pending) this.store.closeRequest(pending, "superseded", now);
      return { status: 200, body: plan.operation };
    });
    await this.scheduleAlarm();
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
        pending: this.store.pendingRequest(id),
        lastRequestAt: this.store.lastRequestTime(id),
        resend: options.resend,
        now,
      });
      if (isRefusal(decision)) return refusalOutcome(decision);
      if (decision.supersede) this.store.closeRequest(decision.supersede, "superseded", now);
      const created = newApprovalRequest(newId("apr"), record, record.approval.methods, record.approval.point_value, options, now);
      sent.request = created;
      this.store.insertRequest(created);
      if (options.test_answer) this.store.scheduleTestAnswer(created.id, options.test_answer, now + TEST_ANSWER_DELAY_MS);
      setStep(record, "approval", "pending");
      this.store.saveRecord(record, now);
      return { status: 201, body: { request: created } };
    });
    if (sent.request) {
      const delivered = this.broadcast({ type: "approval_request", request: sent.request }) > 0;
      (outcome.body as { delivered?: boolean }).delivered = delivered;
    }
    await this.scheduleAlarm();
    return outcome;
  }

  /** The member's answer; the operation's authorization follows it and waiting cashiers wake at once. */
  async answerApproval(account: AccountRef, requestId: string, answer: Answer, now = Date.now()): Promise<Decided> {
    const outcome = this.transact(now, () => this.answer(requestId, answer, now));
    await this.scheduleAlarm();
    return outcome;
  }

  /** Inside a transaction: the member's answer to a request, or why it cannot be answered now. */
  private answer(requestId: string, answer: Answer, now: number): Decided {
    const request = this.store.request(requestId);
    if (!request) return refusalOutcome(refuse("approval_request_not_found", "Approval request not found"));
    const refusal = decideAnswer(request);
    if (refusal) return refusalOutcome(refusal);
    const status = answer === "approve" ? "approved" : "rejected";
    this.store.closeRequest(request, status, now);
    this.store.event(`evt_${request.id}_answered`, "approval_request.answered", new Date(now).toISOString(), { approval_request: { ...request, status, answered_at: new Date(now).toISOString() } });
    const record = this.store.record(request.operation_id)!;
    setStep(record, "approval", status);
    this.store.saveRecord(record, now);
    return { status: 200, body: request };
  }

  /**
   * Test mode: the answers test phones give by themselves, once due — each with its row's removal, in one
   * transaction. A request closed meanwhile (resent, cancelled, expired) is not answered; run again, nothing is.
   */
  private answerDueTestRequests(now: number): void {
    for (const due of this.store.dueTestAnswers(now)) {
      try {
        this.transact(now, () => {
          this.store.dropTestAnswer(due.request_id);
          this.answer(due.request_id, due.answer, now);
        });
      } catch (error) {
        // One answer that cannot be given must not hold up the outbox behind it: it is dropped, and said.
        console.warn(`test answer to ${due.request_id} not given:`, String(error));
        this.store.dropTestAnswer(due.request_id);
      }
    }
    if (now >= this.store.earliestTestAnswer) this.store.refreshTestAnswers();
  }

  async approvalRequests(account: AccountRef, status: ApprovalStatus | null, limit: number, after: string | null, now = Date.now()) {
    return this.transact(now, () => {
      const before = after ? this.store.requestSeq(after) : null;
      const rows = this.store.requests(status, limit + 1, before);
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
      const issued = this.issueCode(id, hash, now);
      if (isRefusal(issued)) return refusalOutcome(issued);
      setStep(record, "sms_code", "pending");
      this.store.saveRecord(record, now);
      return {
        status: 201,
        body: { expires_at: new Date(issued.expires_at).toISOString(), issued_at: issued.issued_at, operation: record.operation },
      };
    });
    await this.scheduleAlarm();
    return outcome;
  }

  async verifyOperationCode(account: AccountRef, id: string, scope: OperationScope, hash: string, now = Date.now()): Promise<Decided> {
    const outcome = this.transact(now, () => {
      const record = this.scoped(id, scope);
      if (!record) return operationNotFound();
      const refusal = smsStepRefusal(record);
      if (refusal) return refusalOutcome(refusal);
      const decision = this.attemptCode(id, hash, now);
      if (decision) return refusalOutcome(decision);
      setStep(record, "sms_code", "verified");
      this.store.saveRecord(record, now);
      return { status: 200, body: record.operation };
    });
    await this.scheduleAlarm();
    return outcome;
  }

  /** A member signing in on the hosted page: the same rules, with "login" as the purpose. */
  async issueLoginCode(account: AccountRef, hash: string, now = Date.now()): Promise<Decided> {
    return this.transact(now, () => {
      this.remember(account);
      const issued = this.issueCode(LOGIN, hash, now);
      return isRefusal(issued) ? refusalOutcome(issued) : { status: 202, body: { issued_at: issued.issued_at } };
    });
  }

  async verifyLoginCode(account: AccountRef, hash: string, now = Date.now()): Promise<Decided> {
    return this.transact(now, () => {
      const decision = this.attemptCode(LOGIN, hash, now);
      return decision ? refusalOutcome(decision) : { status: 200, body: { verified: true } };
    });
  }

  /** Takes back a code whose SMS the provider refused. */
  async forgetCode(account: AccountRef, purpose: string, issuedAt: number, now = Date.now()): Promise<void> {
    this.transact(now, () => {
      this.store.forgetSend(purpose, issuedAt);
      const record = purpose === LOGIN ? null : this.store.record(purpose);
      if (record && record.steps.sms_code === "pending" && !this.store.code(purpose)) {
        setStep(record, "sms_code", "required");
        this.store.saveRecord(record, now);
      }
    });
    await this.scheduleAlarm();
  }

  // ---- RPC: cards and balances -----------------------------------------------------------------------------

  async addCard(account: AccountRef, number: string): Promise<MemberCard> {
    return this.transact(Date.now(), () => {
      this.remember(account);
      this.store.knownCard(number);
      return this.publicCard(account, number);
    });
  }

  // Each card change is audited in the transaction that made it (a card blocked again changes nothing, and logs nothing).

  async blockCard(account: AccountRef, number: string, reason: string, by: Who, now = Date.now()): Promise<Decided> {
    const outcome = this.transact<Decided>(now, () => {
      const card = this.knownCard(account, number);
      if (card.status !== "active") return { status: 200, body: this.publicCard(account, number) };
      this.store.updateCard({ ...card, status: "blocked", block_reason: reason });
      this.voidPendingOperations(number, now);
      this.store.event(newId("evt"), "card.blocked", new Date(now).toISOString(), { card: { number, member_id: account.member_id, status: "blocked", block_reason: reason, replaced_by: null } });
      return this.cardChanged(account, number, by, "card.blocked", now);
    });
    await this.scheduleAlarm();
    return outcome;
  }

  async unblockCard(account: AccountRef, number: string, by: Who, now = Date.now()): Promise<Decided> {
    const outcome = this.transact<Decided>(now, () => {
      const card = this.knownCard(account, number);
      if (card.status === "replaced") {
        return refusalOutcome(refuse("card_replaced", "A replaced card cannot be unblocked", { replaced_by: card.replaced_by }));
      }
      if (card.status !== "blocked") return { status: 200, body: this.publicCard(account, number) };
      this.store.updateCard({ ...card, status: "active", block_reason: null });
      return this.cardChanged(account, number, by, "card.unblocked", now);
    });
    await this.scheduleAlarm();
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
      this.store.updateCard({ ...card, status: "replaced", replaced_by: newNumber });
      this.voidPendingOperations(number, now);
      this.store.knownCard(newNumber);
      return this.cardChanged(account, number, by, "card.replaced", now);
    });
    await this.scheduleAlarm();
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
    this.store.enqueue("audit", id, entry);
    return entry;
  }

  async summary(account: AccountRef, now = Date.now()): Promise<{ balances: Balances; cards: MemberCard[] }> {
    const summary = this.transact(now, () => ({
      balances: this.store.balances(),
      cards: this.store.cards().map((card) => ({ ...card, member_id: account.member_id })),
    }));
    await this.scheduleAlarm();
    return summary;
  }

  /** A limit's card counters in this account, with what is still held (expired holds released first). */
  async limitCounters(account: AccountRef, limitId: string, now = Date.now()): Promise<StoredCounter[]> {
    const counters = this.transact(now, () => this.store.counters.countersOf(limitId));
    await this.scheduleAlarm();
    return counters;
  }

  /** The journal entries not shipped to D1 yet: what a history read adds to D1's rows (read your writes). */
  async unshippedEntries(account: AccountRef): Promise<JournalEntry[]> {
    return this.store.unshippedEntries();
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
    const stored = this.store.storedTotals();
    const view = this.store.view();
    if (JSON.stringify(stored) !== JSON.stringify({ balances: view.balances, held: view.held, incoming: view.incoming })) {
      throw new Error(`in-memory totals ${JSON.stringify(view)} differ from storage ${JSON.stringify(stored)}`);
    }
    return {
      balances: stored.balances,
      held: stored.held,
      journalSums,
      journal: journal.map((entry) => ({ ...entry })),
      outboxSize: this.store.outboxSize(),
    };
  }

  // ---- the member's open pages (WebSocket Hibernation API) -------------------------------------------------

  /** Accepts a member page's socket; the Worker has checked the session and the Origin before forwarding. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const session = request.headers.get("x-tillsafe-session") ?? "";
    if (this.ctx.storage.sql.exec("SELECT 1 FROM ended_sessions WHERE id = ?", session).toArray().length > 0) {
      return new Response("The session has ended", { status: 401 });
    }
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair);
    this.ctx.acceptWebSocket(server, ["member"]);
    server.serializeAttachment({ session, connected_at: Date.now(), livemode: request.headers.get("x-tillsafe-livemode") !== "false" });
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Sessions that have ended (signed out, switched to another membership, revoked by the back office): the pages
   * open under them close, and they are remembered, so an upgrade that passed the session check in D1 just before
   * the end but reaches this object after it is refused (kept 7 days, a session's longest life).
   */
  async endSessions(account: AccountRef, sessionIds: string[], now = Date.now()): Promise<void> {
    if (sessionIds.length === 0) return;
    this.ctx.storage.transactionSync(() => {
      for (const id of sessionIds) this.ctx.storage.sql.exec("INSERT OR IGNORE INTO ended_sessions (id, ended_at) VALUES (?, ?)", id, now);
      this.ctx.storage.sql.exec("DELETE FROM ended_sessions WHERE ended_at < ?", now - SESSION_ABSOLUTE_MS);
    });
    const ended = new Set(sessionIds);
    for (const ws of this.ctx.getWebSockets("member")) {
      if (!ended.has((ws.deserializeAttachment() as { session?: string } | null)?.session ?? "")) continue;
      try {
        ws.close(4001, "session ended");
      } catch {
        // already closing
      }
    }
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // The page only listens; "ping" is answered by the auto-response without waking the object.
    if (message === "balances") ws.send(JSON.stringify({ type: "balance", balances: this.store.balances() }));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(1011, "error");
    } catch {
      // already closed
    }
  }

  /** Sends a message to the member's open pages, its objects marked with the tenant's livemode; answers how many got it. */
  private broadcast(message: object | (() => object)): number {
    const sockets = this.ctx.getWebSockets("member");
    if (sockets.length === 0) return 0;
    const textFor = messageText(typeof message === "function" ? message() : message);
    let sent = 0;
    for (const ws of sockets) {
      if (ws.readyState !== SOCKET_OPEN) continue;
      try {
        ws.send(textFor((ws.deserializeAttachment() as { livemode?: boolean } | null)?.livemode ?? true));
        sent += 1;
      } catch {
        // a socket closing under us: the others still get it
      }
    }
    return sent;
  }

  // ---- alarm: expiry and outbox shipment -------------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const account = this.account();
    if (!account) return;
    // Expires due holds: a transaction only when one may be due.
    if (this.store.mayBeDue(Date.now())) this.transact(Date.now(), () => undefined);
    this.answerDueTestRequests(Date.now());
    try {
      await this.ship(account);
      this.shipFailures = 0;
    } catch (error) {
      // D1 did not take the batch: keep the outbox and try again later, backing off.
      this.shipFailures += 1;
      this.shipRetryAt = Date.now() + Math.min(OUTBOX_RETRY_MAX_MS, 1000 * 2 ** this.shipFailures);
      console.warn(`outbox shipment failed (attempt ${this.shipFailures}):`, String(error));
      await this.scheduleAlarm(this.shipRetryAt);
      return;
    }
    this.shipRetryAt = 0;
    await this.scheduleAlarm();
  }

  // ---- inside the transaction ------------------------------------------------------------------------------

  /**
   * Runs `decide` in one synchronous storage transaction, after expiring due holds; once it commits, tells the
   * member's pages and the waiting cashiers what changed.
   */
  private transact<T>(now: number, decide: () => T): T {
    this.store.changes = noChanges();
    let result: T;
    try {
      result = this.ctx.storage.transactionSync(() => {
        this.store.expireDue(now);
        const decided = decide();
        this.store.flushOutbox();
        return decided;
      });
    } catch (error) {
      // The transaction rolled back: what this object believed it had written may not be there.
      this.store.changes = noChanges();
      this.store.forgetCachedState();
      this.remembered = false;
      throw error;
    }
    this.notify();
    return result;
  }

  private notify(): void {
    const { operations, closedRequests, entries, balances } = this.store.changes;
    this.store.changes = noChanges();
    for (const request of closedRequests) this.broadcast({ type: "approval_request_closed", request });
    if (balances) this.broadcast(() => ({ type: "balance", balances: this.store.balances() }));
    // The page's history is D1's projection; new entries go to it live, newest first, in the history entry shape.
    if (entries.length > 0) this.broadcast(() => ({ type: "history", entries: entries.map(historyEntry).reverse() }));
    for (const id of operations) {
      const waiting = this.waiters.get(id);
      if (!waiting) continue;
      this.waiters.delete(id);
      for (const wake of waiting) wake();
    }
  }

  /** Resolves when the operation next changes, or after `ms`. */
  private changeOf(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiting = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, waiting);
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiting.add(wake);
    });
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
    const record = this.store.record(id);
    if (!record || (scope.register_id !== undefined && record.operation.register_id !== scope.register_id)) return null;
    return record;
  }

  /**
   * Checks and counts the card limits of a planned operation (in the caller's transaction). A refusal raises
   * `limit.blocked`; passing a soft bound raises `limit.soft_crossed`.
   */
  private countCardLimits(
    plan: OperationRecord,
    check: LimitCheck | undefined,
    now: number,
    counter: (key: CounterKey) => Counter,
    beforeCounting?: () => void,
  ): Refusal | null {
    if (!check || check.card.length === 0) return null;
    const op = plan.operation;
    const projectedBalance = this.store.pendingCredits(op.id);
    const { balances } = this.store.view();
    for (const method of METHODS) projectedBalance[method] += balances[method];
    const facts: OperationFacts = {
      id: op.id,
      type: op.type,
      card: op.card,
      register_id: op.register_id,
      store_id: op.store_id,
      holds: plan.holds,
      credits: plan.credits,
      projectedBalance,
    };
    const decision = evaluateLimits(check.card, facts, now, check.time_zone, counter);
    for (const alert of decision.alerts) this.store.enqueueAlert({ ...alert, id: newId("alt"), created_at: new Date(now).toISOString() });
    const refusal = decisionRefusal(decision);
    if (refusal) return refusal;
    beforeCounting?.();
    this.store.counters.reserve(op.id, decision.changes, decision.softMarks);
    if (decision.changes.length > 0) plan.counted = true;
    return null;
  }

  private issueCode(purpose: string, hash: string, now: number): CodeState | Refusal {
    const sends = this.store.sends(purpose, now - 3600_000);
    const refusal = decideIssue(sends.all, sends.last, now);
    if (refusal) return refusal;
    const state = newCode(purpose, hash, now);
    this.store.saveCode(state);
    this.store.logSend(purpose, now);
    return state;
  }

  /** One attempt: compares the hashes in constant time; a wrong one costs an attempt, the right one is used up. */
  private attemptCode(purpose: string, hash: string, now: number): Refusal | null {
    const state = this.store.code(purpose);
    const matches = state !== null && constantTimeEqual(state.hash, hash);
    const decision = decideVerify(state, matches, now);
    if (decision.kind === "refuse") return decision.refusal;
    if (decision.kind === "wrong") {
      this.store.saveCode(decision.state);
      return decision.refusal;
    }
    this.store.deleteCode(purpose);
    return null;
  }

  private knownCard(account: AccountRef, number: string): StoredCard {
    this.remember(account);
    return this.store.knownCard(number);
  }

  private voidPendingOperations(card: string, now: number): void {
    for (const record of this.store.pendingOperationsOfCard(card)) this.store.close(record, "cancelled", now);
  }

  private publicCard(account: AccountRef, number: string): MemberCard {
    const { version: _version, ...card } = this.store.card(number)!;
    return { ...card, member_id: account.member_id };
  }

  // ---- after the transaction -------------------------------------------------------------------------------

  /** Sets the alarm to the earliest of: now when the outbox has rows, the next hold expiry, or `at`. */
  private async scheduleAlarm(at?: number): Promise<void> {
    // An alarm due within the outbox delay will run soon and set the next one itself: nothing to work out now.
    if (at === undefined && this.alarmAt !== null && this.alarmAt <= Date.now() + OUTBOX_DELAY_MS && this.alarmAt > Date.now() - 60_000) return;
    let next = at ?? Number.POSITIVE_INFINITY;
    if (at === undefined && this.store.hasOutbox()) {
      // Rows wait a moment so that a busy account ships them in batches; while D1 is failing they wait for the
      // back-off instead of triggering a shipment each.
      next = Math.max(Date.now() + OUTBOX_DELAY_MS, this.shipRetryAt);
    }
    const expiry = this.store.nextExpiry();
    if (expiry !== null) next = Math.min(next, expiry);
    next = Math.min(next, this.store.earliestTestAnswer);
    if (!Number.isFinite(next)) return;
    if (this.alarmAt !== null && this.alarmAt <= next && this.alarmAt > Date.now() - 60_000) return;
    this.alarmAt = next;
    await this.ctx.storage.setAlarm(next);
  }

  private async ship(account: AccountRef): Promise<void> {
    for (;;) {
      const rows = this.store.outboxBatch(OUTBOX_BATCH);
      if (rows.length === 0) return;
      await shipOutbox(this.env, account, rows, {
        operation: (id) => this.store.record(id),
        card: (number) => this.store.card(number),
      });
      this.store.dropShipped(rows[rows.length - 1].id);
      // A short batch was all there was: rows written meanwhile have set the next alarm themselves.
      if (rows.length < OUTBOX_BATCH) return;
    }
  }
}
