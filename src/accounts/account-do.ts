import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { newId } from "../lib/ids";
import type { Outcome } from "../lib/outcome";
import { ACCOUNT_SCHEMA } from "./account-schema";
import {
  decideCancel,
  decideConfirm,
  emptyAmounts,
  isDue,
  isRefusal,
  planOperation,
  postings,
  refuse,
  type AccountView,
  type NewOperation,
  type Refusal,
} from "./ledger";
import { METHODS, type Balances, type Card, type CardStatus, type JournalEntry, type Method, type OperationRecord } from "./operation";
import { shipOutbox, type OutboxRow } from "./outbox";

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

/** How long an idempotency record is kept: well past 24 hours and the longest hold (86,400 s). */
const IDEMPOTENCY_RETENTION_MS = 3 * 24 * 3600 * 1000;
const OUTBOX_RETRY_MAX_MS = 5 * 60 * 1000;

const refusalOutcome = (refusal: Refusal): Outcome => ({
  status: refusal.status,
  body: { error: { code: refusal.code, message: refusal.message, details: refusal.details } },
});

/**
 * One member account: balances, holds, operations, the journal and card statuses, serialized by the object.
 * Each call decides inside one `transactionSync` and only afterwards talks to D1 (the outbox, from the alarm).
 */
export class AccountDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private alarmAt: number | null = null;
  private shipFailures = 0;
  private shipRetryAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(ACCOUNT_SCHEMA);
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  // ---- RPC: operations -------------------------------------------------------------------------------------

  async createOperation(account: AccountRef, input: NewOperation & { fingerprint: string }): Promise<Outcome> {
    const outcome = this.transact(account, input.now, () => {
      const prior = this.sql
        .exec<{ fingerprint: string; status: number; body: string }>(
          "SELECT fingerprint, status, body FROM idempotency WHERE operation_id = ?",
          input.id,
        )
        .toArray()[0];
      if (prior) {
        if (prior.fingerprint !== input.fingerprint) {
          return refusalOutcome(
            refuse(422, "idempotency_key_reused", "This Idempotency-Key was already used with a different request"),
          );
        }
        return { status: prior.status, body: JSON.parse(prior.body) };
      }
      const existing = this.loadRecord(input.id);
      if (existing) return { status: 201, body: existing.operation };
      this.remember(account);

      const request = input.request;
      if (request.type !== "refund") {
        // The route resolved the card to this member in D1; a card this object has not seen yet was never blocked.
        this.sql.exec("INSERT OR IGNORE INTO cards (number, status, version) VALUES (?, 'active', 0)", request.card);
      }
      const original = request.type === "refund" ? this.loadRecord(request.original_operation_id) : null;
      // An unknown original is not worth a stored answer: it will stay unknown.
      if (request.type === "refund" && !original) return operationNotFound();
      const plan = planOperation(input, this.view(), original);
      const outcome: Outcome = isRefusal(plan) ? refusalOutcome(plan) : { status: 201, body: plan.operation };
      this.sql.exec(
        "INSERT INTO idempotency (operation_id, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
        input.id,
        input.fingerprint,
        outcome.status,
        JSON.stringify(outcome.body),
        input.now,
      );
      if (isRefusal(plan)) return outcome;

      if (original) {
        original.refunded += request.type === "refund" ? request.amount : 0;
        this.saveRecord(original);
      }
      this.insertRecord(plan);
      return outcome;
    });
    await this.scheduleAlarm();
    return outcome;
  }

  async getOperation(account: AccountRef, id: string, scope: OperationScope = {}, now = Date.now()): Promise<Outcome> {
    const outcome = this.transact(account, now, () => {
      const record = this.loadScoped(id, scope);
      return record ? { status: 200, body: record.operation } : operationNotFound();
    });
    await this.scheduleAlarm();
    return outcome;
  }

  async confirm(account: AccountRef, id: string, scope: OperationScope = {}, now = Date.now()): Promise<Outcome> {
    const outcome = this.transact(account, now, () => {
      const record = this.loadScoped(id, scope);
      if (!record) return operationNotFound();
      const decision = decideConfirm(record.operation, now);
      switch (decision.kind) {
        case "already_confirmed":
          return { status: 200, body: record.operation };
        case "refuse":
          return refusalOutcome(decision.refusal);
        case "expire":
          this.close(record, "expired", now);
          return refusalOutcome(refuse(409, "operation_not_pending", "The operation is expired", { status: "expired" }));
        case "post":
          this.post(record, now);
          return { status: 200, body: record.operation };
      }
    });
    await this.scheduleAlarm();
    return outcome;
  }

  async cancel(account: AccountRef, id: string, scope: OperationScope = {}, now = Date.now()): Promise<Outcome> {
    const outcome = this.transact(account, now, () => {
      const record = this.loadScoped(id, scope);
      if (!record) return operationNotFound();
      const decision = decideCancel(record.operation);
      if (decision.kind === "refuse") return refusalOutcome(decision.refusal);
      if (decision.kind === "release") this.close(record, "cancelled", now);
      return { status: 200, body: record.operation };
    });
    await this.scheduleAlarm();
    return outcome;
  }

  // ---- RPC: cards and balances -----------------------------------------------------------------------------

  async addCard(account: AccountRef, number: string): Promise<MemberCard> {
    return this.transact(account, Date.now(), () => {
      this.knownCard(account, number);
      return this.publicCard(account, number);
    });
  }

  async blockCard(account: AccountRef, number: string, reason: string, now = Date.now()): Promise<Outcome> {
    const outcome = this.transact(account, now, () => {
      const card = this.knownCard(account, number);
      if (card.status === "active") {
        this.updateCard({ ...card, status: "blocked", block_reason: reason });
        this.voidPendingOperations(number, now);
      }
      return { status: 200, body: this.publicCard(account, number) };
    });
    await this.scheduleAlarm();
    return outcome;
  }

  async unblockCard(account: AccountRef, number: string, now = Date.now()): Promise<Outcome> {
    const outcome = this.transact(account, now, () => {
      const card = this.knownCard(account, number);
      if (card.status === "replaced") {
        return refusalOutcome(refuse(409, "card_replaced", "A replaced card cannot be unblocked", { replaced_by: card.replaced_by }));
      }
      if (card.status === "blocked") this.updateCard({ ...card, status: "active", block_reason: null });
      return { status: 200, body: this.publicCard(account, number) };
    });
    await this.scheduleAlarm();
    return outcome;
  }

  /** `newIsFresh`: the route has just registered `newNumber` for this member (false on a repeat). */
  async replaceCard(account: AccountRef, number: string, newNumber: string, newIsFresh: boolean, now = Date.now()): Promise<Outcome> {
    const outcome = this.transact(account, now, () => {
      const card = this.knownCard(account, number);
      if (card.status === "replaced") {
        if (card.replaced_by === newNumber) return { status: 200, body: this.publicCard(account, number) };
        return refusalOutcome(refuse(409, "card_replaced", "The card was already replaced", { replaced_by: card.replaced_by }));
      }
      if (!newIsFresh) {
        return refusalOutcome(refuse(409, "card_number_taken", "This card number is already in use in this tenant"));
      }
      this.updateCard({ ...card, status: "replaced", replaced_by: newNumber });
      this.voidPendingOperations(number, now);
      this.sql.exec("INSERT OR IGNORE INTO cards (number, status, version) VALUES (?, 'active', 0)", newNumber);
      return { status: 200, body: this.publicCard(account, number) };
    });
    await this.scheduleAlarm();
    return outcome;
  }

  async summary(account: AccountRef, now = Date.now()): Promise<{ balances: Balances; cards: MemberCard[] }> {
    const summary = this.transact(account, now, () => ({
      balances: this.balancesView(),
      cards: this.sql
        .exec<Card>("SELECT number, status, block_reason, replaced_by FROM cards ORDER BY rowid")
        .toArray()
        .map((card) => ({ ...card, member_id: account.member_id })),
    }));
    await this.scheduleAlarm();
    return summary;
  }

  /** Everything the invariants speak of, for tests and audits: balances, holds and journal sums per method. */
  async audit(): Promise<{
    balances: Record<Method, number>;
    held: Record<Method, number>;
    journalSums: Record<Method, number>;
    journal: JournalEntry[];
    outboxSize: number;
  }> {
    const journal = this.sql.exec<JournalEntry>("SELECT * FROM journal ORDER BY seq").toArray();
    const journalSums = emptyAmounts();
    for (const entry of journal) journalSums[entry.method] += entry.amount;
    const view = this.view();
    return {
      balances: view.balances,
      held: view.held,
      journalSums,
      journal: journal.map((entry) => ({ ...entry })),
      outboxSize: this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n,
    };
  }

  // ---- alarm: expiry and outbox shipment -------------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const account = this.account();
    if (!account) return;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.expireDue(now);
      this.sql.exec("DELETE FROM idempotency WHERE created_at < ?", now - IDEMPOTENCY_RETENTION_MS);
    });
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

  /** Runs `decide` in one synchronous storage transaction, after recording who this account is and expiring due holds. */
  private transact<T>(account: AccountRef, now: number, decide: () => T): T {
    return this.ctx.storage.transactionSync(() => {
      this.expireDue(now);
      return decide();
    });
  }

  /** Records which account this object is, the first time something is written to it (the outbox needs it). */
  private remember(account: AccountRef): void {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account', ?)", JSON.stringify(account));
  }

  private account(): AccountRef | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'account'").toArray()[0];
    return row ? (JSON.parse(row.value) as AccountRef) : null;
  }

  private view(): AccountView {
    const balances = emptyAmounts();
    const held = emptyAmounts();
    for (const row of this.sql.exec<{ method: Method; balance: number }>("SELECT method, balance FROM balances")) {
      balances[row.method] = row.balance;
    }
    for (const row of this.sql.exec<{ method: Method; total: number }>(
      "SELECT method, SUM(amount) AS total FROM holds GROUP BY method",
    )) {
      held[row.method] = row.total;
    }
    return { balances, held, cardStatus: (number) => this.loadCard(number)?.status };
  }

  private balancesView(): Balances {
    const { balances, held } = this.view();
    const line = (m: Method) => ({ balance: balances[m], available: balances[m] - held[m] });
    return { credit: line("credit"), cashback: line("cashback"), points: line("points") };
  }

  private loadRecord(id: string): OperationRecord | null {
    const row = this.sql.exec<{ record: string }>("SELECT record FROM operations WHERE id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.record) as OperationRecord) : null;
  }

  /** An operation as the caller may see it: a register sees only its own operations. */
  private loadScoped(id: string, scope: OperationScope): OperationRecord | null {
    const record = this.loadRecord(id);
    if (!record || (scope.register_id !== undefined && record.operation.register_id !== scope.register_id)) return null;
    return record;
  }

  private insertRecord(record: OperationRecord): void {
    const op = record.operation;
    this.sql.exec(
      "INSERT INTO operations (id, status, card, expires_at, created_at, record) VALUES (?, ?, ?, ?, ?, ?)",
      op.id,
      op.status,
      op.card,
      Date.parse(op.expires_at),
      Date.parse(op.created_at),
      JSON.stringify(record),
    );
    for (const method of METHODS) {
      const amount = record.holds[method] ?? 0;
      if (amount > 0) this.sql.exec("INSERT INTO holds (operation_id, method, amount) VALUES (?, ?, ?)", op.id, method, amount);
    }
    this.enqueue("operation", op.id);
  }

  private saveRecord(record: OperationRecord): void {
    record.version += 1;
    this.sql.exec(
      "UPDATE operations SET status = ?, record = ? WHERE id = ?",
      record.operation.status,
      JSON.stringify(record),
      record.operation.id,
    );
    this.enqueue("operation", record.operation.id);
  }

  /** Turns holds into journal debits and credits into journal credits, once. */
  private post(record: OperationRecord, now: number): void {
    const { balances } = this.view();
    const nextSeq = (this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM journal").one().seq ?? 0) + 1;
    const result = postings(record, balances, nextSeq, () => newId("ent"), now);
    for (const entry of result.entries) {
      this.sql.exec(
        `INSERT INTO journal (seq, id, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        entry.seq,
        entry.id,
        entry.operation_id,
        entry.kind,
        entry.method,
        entry.amount,
        entry.balance_after,
        entry.store_id,
        entry.register_id,
        entry.created_at,
      );
      this.enqueue("entry", entry.id, JSON.stringify(entry));
    }
    for (const method of METHODS) {
      this.sql.exec(
        "INSERT INTO balances (method, balance) VALUES (?, ?) ON CONFLICT(method) DO UPDATE SET balance = excluded.balance",
        method,
        result.balances[method],
      );
    }
    this.sql.exec("DELETE FROM holds WHERE operation_id = ?", record.operation.id);
    record.operation.status = "confirmed";
    record.operation.confirmed_at = new Date(now).toISOString();
    this.saveRecord(record);
  }

  /** Cancels or expires a pending operation: releases its holds and gives back what a refund had claimed. */
  private close(record: OperationRecord, status: "cancelled" | "expired", now: number): void {
    this.sql.exec("DELETE FROM holds WHERE operation_id = ?", record.operation.id);
    record.operation.status = status;
    record.operation.cancelled_at = new Date(now).toISOString();
    this.saveRecord(record);
    const op = record.operation;
    if (op.type === "refund" && op.original_operation_id) {
      const original = this.loadRecord(op.original_operation_id);
      if (original) {
        original.refunded -= op.amount ?? 0;
        this.saveRecord(original);
      }
    }
  }

  private expireDue(now: number): void {
    const due = this.sql
      .exec<{ id: string }>("SELECT id FROM operations WHERE status = 'pending' AND expires_at <= ?", now)
      .toArray();
    for (const { id } of due) {
      const record = this.loadRecord(id)!;
      if (isDue(record.operation, now)) this.close(record, "expired", now);
    }
  }

  private voidPendingOperations(card: string, now: number): void {
    const pending = this.sql
      .exec<{ id: string }>("SELECT id FROM operations WHERE card = ? AND status = 'pending'", card)
      .toArray();
    for (const { id } of pending) this.close(this.loadRecord(id)!, "cancelled", now);
  }

  private loadCard(number: string): (Card & { version: number }) | null {
    return (
      this.sql
        .exec<Card & { version: number }>(
          "SELECT number, status, block_reason, replaced_by, version FROM cards WHERE number = ?",
          number,
        )
        .toArray()[0] ?? null
    );
  }

  /** A card the route resolved to this member in D1; one never seen here was never blocked. */
  private knownCard(account: AccountRef, number: string): Card & { version: number } {
    this.remember(account);
    this.sql.exec("INSERT OR IGNORE INTO cards (number, status, version) VALUES (?, 'active', 0)", number);
    return this.loadCard(number)!;
  }

  private updateCard(card: Card & { version: number }): void {
    this.sql.exec(
      "UPDATE cards SET status = ?, block_reason = ?, replaced_by = ?, version = ? WHERE number = ?",
      card.status satisfies CardStatus,
      card.block_reason,
      card.replaced_by,
      card.version + 1,
      card.number,
    );
    this.enqueue("card", card.number);
  }

  private publicCard(account: AccountRef, number: string): MemberCard {
    const { version: _version, ...card } = this.loadCard(number)!;
    return { ...card, member_id: account.member_id };
  }

  private enqueue(kind: OutboxRow["kind"], ref: string, payload: string | null = null): void {
    this.sql.exec("INSERT INTO outbox (kind, ref, payload) VALUES (?, ?, ?)", kind, ref, payload);
  }

  // ---- after the transaction -------------------------------------------------------------------------------

  /** Sets the alarm to the earliest of: now when the outbox has rows, the next hold expiry, or `at`. */
  private async scheduleAlarm(at?: number): Promise<void> {
    let next = at ?? Number.POSITIVE_INFINITY;
    if (at === undefined && this.sql.exec("SELECT 1 FROM outbox LIMIT 1").toArray().length > 0) {
      // While D1 is failing, new rows wait for the back-off instead of triggering a shipment each.
      next = Math.max(Date.now(), this.shipRetryAt);
    }
    const expiry = this.sql
      .exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM operations WHERE status = 'pending'")
      .one().at;
    if (expiry !== null) next = Math.min(next, expiry);
    if (!Number.isFinite(next)) return;
    if (this.alarmAt !== null && this.alarmAt <= next && this.alarmAt > Date.now() - 60_000) return;
    this.alarmAt = next;
    await this.ctx.storage.setAlarm(next);
  }

  private async ship(account: AccountRef): Promise<void> {
    for (;;) {
      const rows = this.sql.exec<OutboxRow>("SELECT id, kind, ref, payload FROM outbox ORDER BY id LIMIT 50").toArray();
      if (rows.length === 0) return;
      await shipOutbox(this.env.DB, account, rows, {
        operation: (id) => this.loadRecord(id),
        card: (number) => this.loadCard(number),
      });
      const lastId = rows[rows.length - 1].id;
      this.sql.exec("DELETE FROM outbox WHERE id <= ?", lastId);
    }
  }
}

function operationNotFound(): Outcome {
  return refusalOutcome(refuse(404, "operation_not_found", "Operation not found"));
}
