/**
 * The synchronous storage of one AccountDO: reads and writes of its SQLite tables, each change also written to the
 * outbox (for D1) and noted in `changes` (for the sockets and long polls the object serves once it commits).
 * Everything here runs inside the object's `transactionSync`.
 */
import type { CodeState } from "../auth/one-time-code";
import { CounterStore } from "../limits/counter-store";
import type { RefundGiveBack } from "../limits/evaluate";
import type { Alert } from "../limits/limit";
import { newId } from "../lib/ids";
import type { ApprovalRequest, ApprovalStatus } from "./approval";
import { emptyAmounts, isDue, postings, type AccountView } from "./ledger";
import { METHODS, type Balances, type Card, type CardStatus, type JournalEntry, type Method, type OperationRecord } from "./operation";
import { entriesIn, type OutboxItem, type OutboxRow } from "./outbox";
import { confirmRefund, freeRefund, tallyFromRefunds } from "./refund";

export type StoredCard = Card & { version: number };

/** How many recently written operations keep their stored text in memory. */
const RECENT_RECORDS = 256;

export type StoreMessage =
  | { action: "commit" | "release"; operation_id: string }
  | ({ action: "refund"; operation_id: string; original_id: string } & RefundGiveBack);

/** What a transaction changed, for the notifications sent after it commits. */
export interface Changes {
  operations: Set<string>;
  closedRequests: ApprovalRequest[];
  entries: JournalEntry[];
  balances: boolean;
}

const noChanges = (): Changes => ({ operations: new Set(), closedRequests: [], entries: [], balances: false });

export class AccountStorage {
  private changes: Changes = noChanges();

  /** What changed since the last call (for the sockets and long polls once the transaction committed), and starts anew. */
  takeChanges(): Changes {
    const taken = this.changes;
    this.changes = noChanges();
    return taken;
  }
  /** No pending operation expires before this (a lower bound: 0 means "look"). */
  private earliestExpiry = 0;
  /** This transaction's outbox messages, written by flushOutbox. */
  private pendingOutbox: OutboxItem[] = [];
  /** The journal's last sequence number (null: read it). */
  private lastSeq: number | null = null;
  /** The stored text of recently written operations, oldest first (absent: read the row). */
  private readonly recentRecords = new Map<string, string>();
  /** Cards as in storage, by number (absent: read it). */
  private readonly cardCache = new Map<string, StoredCard>();
  /** Balances and held totals per method, as in storage (null: read them). */
  private totals: { balances: Record<Method, number>; held: Record<Method, number>; incoming: Record<Method, number> } | null = null;
  readonly counters: CounterStore;

  constructor(private readonly sql: SqlStorage) {
    this.counters = new CounterStore(sql);
  }

  // ---- balances ---------------------------------------------------------------------------------------------

  view(): AccountView {
    // Balances and pending totals are read once and then kept in step by every write below (the object is their
    // only writer); a rolled-back transaction drops them so they are read again.
    if (!this.totals) {
      const balances = emptyAmounts();
      for (const row of this.sql.exec<{ method: Method; balance: number }>("SELECT method, balance FROM balances")) {
        balances[row.method] = row.balance;
      }
      // What is held and what will be credited is what the pending operations say: their records are the only copy.
      const sums = this.sql
        .exec<Record<`${"held" | "incoming"}_${Method}`, number>>(
          `SELECT COALESCE(SUM(record ->> '$.holds.credit'), 0) AS held_credit, COALESCE(SUM(record ->> '$.holds.cashback'), 0) AS held_cashback,
             COALESCE(SUM(record ->> '$.holds.points'), 0) AS held_points, COALESCE(SUM(record ->> '$.credits.credit'), 0) AS incoming_credit,
             COALESCE(SUM(record ->> '$.credits.cashback'), 0) AS incoming_cashback, COALESCE(SUM(record ->> '$.credits.points'), 0) AS incoming_points
           FROM operations WHERE status = 'pending'`,
        )
        .one();
      const held = emptyAmounts();
      const incoming = emptyAmounts();
      for (const method of METHODS) {
        held[method] = sums[`held_${method}`];
        incoming[method] = sums[`incoming_${method}`];
      }
      this.totals = { balances, held, incoming };
    }
    const { balances, held, incoming } = this.totals;
    return { balances: { ...balances }, held: { ...held }, incoming: { ...incoming }, cardStatus: (number) => this.card(number)?.status };
  }

  /** Balances and held totals read from storage itself, never from memory: what audits compare against. */
  storedTotals(): { balances: Record<Method, number>; held: Record<Method, number>; incoming: Record<Method, number> } {
    const cached = this.totals;
    this.totals = null;
    const { balances, held, incoming } = this.view();
    this.totals = cached;
    return { balances, held, incoming };
  }

  /** Keeps the pending totals in step with the pending operations: +1 when an operation's holds are placed, −1 when they go. */
  private adjustHeld(record: OperationRecord, sign: 1 | -1): void {
    if (!this.totals) return;
    for (const method of METHODS) {
      this.totals.held[method] += sign * (record.holds[method] ?? 0);
      this.totals.incoming[method] += sign * (record.credits[method] ?? 0);
    }
  }

  balances(): Balances {
    const { balances, held } = this.view();
    const line = (m: Method) => ({ balance: balances[m], available: balances[m] - held[m] });
    return { credit: line("credit"), cashback: line("cashback"), points: line("points") };
  }

  // ---- operations -------------------------------------------------------------------------------------------

  record(id: string): OperationRecord | null {
    // Each read gets its own copy: a caller may change it and then not save it.
    const text = this.recentRecords.get(id) ?? this.sql.exec<{ record: string }>("SELECT record FROM operations WHERE id = ?", id).toArray()[0]?.record;
    return text === undefined ? null : (JSON.parse(text) as OperationRecord);
  }

  /**
   * A purchase as refunds see it: with its refund tally, which a purchase recorded before tallies existed gets from
   * its refunds' own records (once: it is saved with the next refund).
   */
  refundable(id: string): OperationRecord | null {
    const record = this.record(id);
    if (!record || record.refund_tally || record.refunded === 0) return record;
    const refunds = this.sql
      .exec<{ record: string }>("SELECT record FROM operations WHERE record ->> '$.operation.original_operation_id' = ?", id)
      .toArray()
      .map((row) => JSON.parse(row.record) as OperationRecord);
    record.refund_tally = tallyFromRefunds(refunds);
    return record;
  }

  /** The purchase a refund refers to (null for any other operation). */
  private originalOf(record: OperationRecord): OperationRecord | null {
    const id = record.operation.type === "refund" ? record.operation.original_operation_id : undefined;
    return id ? this.refundable(id) : null;
  }

  /** Notes the text just written for an operation, so the next step of it (confirm, cancel) reads no row. */
  private recent(id: string, text: string): void {
    this.recentRecords.delete(id);
    this.recentRecords.set(id, text);
    if (this.recentRecords.size > RECENT_RECORDS) this.recentRecords.delete(this.recentRecords.keys().next().value!);
  }

  insertRecord(record: OperationRecord): void {
    const op = record.operation;
    const text = JSON.stringify(record);
    this.sql.exec(
      "INSERT INTO operations (id, status, card, expires_at, created_at, record) VALUES (?, ?, ?, ?, ?, ?)",
      op.id,
      op.status,
      op.card,
      Date.parse(op.expires_at),
      Date.parse(op.created_at),
      text,
    );
    this.recent(op.id, text);
    this.placeHolds(record);
    this.event(`evt_${op.id.slice(3)}_created`, "operation.created", op.created_at, { operation: { ...op } });
    this.enqueue("operation", op.id);
    this.changes.operations.add(op.id);
    this.earliestExpiry = Math.min(this.earliestExpiry, Date.parse(op.expires_at));
  }

  saveRecord(record: OperationRecord, now: number): void {
    record.version += 1;
    record.operation.updated_at = new Date(now).toISOString();
    const text = JSON.stringify(record);
    this.sql.exec("UPDATE operations SET status = ?, record = ? WHERE id = ?", record.operation.status, text, record.operation.id);
    this.recent(record.operation.id, text);
    this.enqueue("operation", record.operation.id);
    this.changes.operations.add(record.operation.id);
  }

  /** Swaps a pending operation's holds for those of its new plan (saved with the plan right after). */
  replaceHolds(before: OperationRecord, after: OperationRecord): void {
    this.adjustHeld(before, -1);
    this.placeHolds(after);
  }

  /** A pending operation's holds count against available from now on (they live in its record). */
  private placeHolds(record: OperationRecord): void {
    this.adjustHeld(record, 1);
    if (METHODS.some((m) => (record.holds[m] ?? 0) > 0)) this.changes.balances = true;
  }

  /** Turns holds into journal debits and credits into journal credits, once. */
  post(record: OperationRecord, now: number): void {
    const original = this.originalOf(record);
    const { balances } = this.view();
    this.lastSeq ??= this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM journal").one().seq ?? 0;
    const nextSeq = this.lastSeq + 1;
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
      this.enqueue("entry", entry.id, entry);
      this.changes.entries.push(entry);
      this.lastSeq = entry.seq;
    }
    for (const method of METHODS) {
      if (result.balances[method] === balances[method]) continue;
      this.sql.exec(
        "INSERT INTO balances (method, balance) VALUES (?, ?) ON CONFLICT(method) DO UPDATE SET balance = excluded.balance",
        method,
        result.balances[method],
      );
    }
    if (this.totals) this.totals.balances = { ...result.balances };
    this.adjustHeld(record, -1);
    record.operation.status = "confirmed";
    record.operation.confirmed_at = new Date(now).toISOString();
    this.saveRecord(record, now);
    this.changes.balances = true;
    if (record.counted) this.counters.commit(record.operation.id);
    // The event carries the operation as confirmed (a copy: the outbox is written when the transaction ends).
    const event = { id: `evt_${record.operation.id.slice(3)}`, type: "operation.confirmed", created_at: record.operation.confirmed_at, data: { operation: { ...record.operation } } };
    this.enqueue("event", event.id, event);
    if (record.store_reserved) this.tellStore(record.operation.store_id, { action: "commit", operation_id: record.operation.id });
    if (original) {
      // A confirmed refund gives back its share of what the original counted, here and at the original's store.
      const share: RefundGiveBack = { ...confirmRefund(original, record), credits: { ...record.credits }, take_back: record.holds.points ?? 0 };
      this.saveRecord(original, now);
      this.counters.refund(original.operation.id, share);
      if (original.store_reserved) {
        this.tellStore(original.operation.store_id, { action: "refund", operation_id: record.operation.id, original_id: original.operation.id, ...share });
      }
    }
  }

  /** A message for a StoreDO (commit, release, refund), shipped after the transaction by the alarm. */
  tellStore(storeId: string, message: StoreMessage): void {
    this.enqueue("store", `${storeId}:${message.operation_id}:${message.action}`, { store_id: storeId, ...message });
  }

  enqueueAlert(alert: Alert): void {
    this.enqueue("alert", alert.id, alert);
  }

  /** Cancels or expires a pending operation: releases its holds, closes its approval request, frees a refund's claim. */
  close(record: OperationRecord, status: "cancelled" | "expired", now: number): void {
    const op = record.operation;
    // Read before this refund's own status changes: a tally derived from the refunds must still see it as it was.
    const original = this.originalOf(record);
    this.adjustHeld(record, -1);
    if (METHODS.some((m) => (record.holds[m] ?? 0) > 0)) this.changes.balances = true;
    op.status = status;
    op.cancelled_at = new Date(now).toISOString();
    this.saveRecord(record, now);
    this.event(`evt_${op.id.slice(3)}_${status}`, `operation.${status}`, op.cancelled_at, { operation: { ...op } });
    if (record.counted) this.counters.release(op.id);
    if (record.store_reserved) this.tellStore(op.store_id, { action: "release", operation_id: op.id });
    const pending = this.pendingRequest(op.id);
    if (pending) this.closeRequest(pending, status, now);
    if (original) {
      freeRefund(original, record);
      this.saveRecord(original, now);
    }
  }

  /**
   * On waking, in one query: whether the outbox has rows, and when the first pending operation expires (which
   * also tells `expireDue` that nothing is due before then).
   */
  wake(): { outbox: boolean; nextExpiry: number | null; nextTestAnswer: number | null } {
    const row = this.sql
      .exec<{ outbox: number; expiry: number | null; answer: number | null }>(
        `SELECT EXISTS (SELECT 1 FROM outbox) AS outbox, (SELECT MIN(expires_at) FROM operations WHERE status = 'pending') AS expiry,
           (SELECT MIN(due_at) FROM test_answers) AS answer`,
      )
      .one();
    this.earliestExpiry = row.expiry ?? Number.POSITIVE_INFINITY;
    this.earliestTestAnswer = row.answer ?? Number.POSITIVE_INFINITY;
    return { outbox: row.outbox === 1, nextExpiry: row.expiry, nextTestAnswer: row.answer };
  }

  // ---- test mode ----------------------------------------------------------------------------------------------

  /** When the first answer a test phone gives by itself is due (infinity: none waits; kept in memory). */
  earliestTestAnswer = Number.POSITIVE_INFINITY;

  scheduleTestAnswer(requestId: string, answer: "approve" | "reject", dueAt: number): void {
    this.sql.exec("INSERT OR REPLACE INTO test_answers (request_id, answer, due_at) VALUES (?, ?, ?)", requestId, answer, dueAt);
    this.earliestTestAnswer = Math.min(this.earliestTestAnswer, dueAt);
  }

  dueTestAnswers(now: number): { request_id: string; answer: "approve" | "reject" }[] {
    if (now < this.earliestTestAnswer) return [];
    return this.sql.exec<{ request_id: string; answer: "approve" | "reject" }>("SELECT request_id, answer FROM test_answers WHERE due_at <= ?", now).toArray();
  }

  dropTestAnswer(requestId: string): void {
    this.sql.exec("DELETE FROM test_answers WHERE request_id = ?", requestId);
  }

  /** After answers were given: when the next is due. */
  refreshTestAnswers(): void {
    this.earliestTestAnswer = this.sql.exec<{ at: number | null }>("SELECT MIN(due_at) AS at FROM test_answers").one().at ?? Number.POSITIVE_INFINITY;
  }

  /** Whether a pending operation may be due at `now` (false: certainly none is). */
  mayBeDue(now: number): boolean {
    return now >= this.earliestExpiry;
  }

  expireDue(now: number): void {
    // Nothing can be due before the earliest expiry seen: most calls need no query at all.
    if (now < this.earliestExpiry) return;
    const due = this.sql.exec<{ id: string }>("SELECT id FROM operations WHERE status = 'pending' AND expires_at <= ?", now).toArray();
    for (const { id } of due) {
      const record = this.record(id)!;
      if (isDue(record.operation, now)) this.close(record, "expired", now);
    }
    this.earliestExpiry = this.nextExpiry() ?? Number.POSITIVE_INFINITY;
  }

  /** After a rollback: re-read from storage rather than trust what memory says. */
  forgetCachedState(): void {
    this.pendingOutbox = [];
    this.earliestExpiry = 0;
    this.earliestTestAnswer = 0;
    this.totals = null;
    this.lastSeq = null;
    this.cardCache.clear();
    this.recentRecords.clear();
  }

  /** What pending operations other than `except` will credit per method once confirmed. */
  pendingCredits(except: string): Record<Method, number> {
    const total = emptyAmounts();
    for (const { id } of this.sql.exec<{ id: string }>("SELECT id FROM operations WHERE status = 'pending' AND id != ?", except).toArray()) {
      const record = this.record(id)!;
      for (const method of METHODS) total[method] += record.credits[method] ?? 0;
    }
    return total;
  }

  pendingOperationsOfCard(card: string): OperationRecord[] {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM operations WHERE card = ? AND status = 'pending'", card)
      .toArray()
      .map(({ id }) => this.record(id)!);
  }

  nextExpiry(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM operations WHERE status = 'pending'").one().at;
  }

  // ---- idempotency ------------------------------------------------------------------------------------------

  /** What a repeated create finds, in one read: the first answer (kept 3 days) and the operation itself. */
  replayOf(operationId: string): { answer: { fingerprint: string; status: number; body: string } | null; record: OperationRecord | null } {
    const row = this.sql
      .exec<{ fingerprint: string | null; status: number | null; body: string | null; record: string | null }>(
        `SELECT i.fingerprint, i.status, i.body, o.record FROM (SELECT ?1 AS id) k
         LEFT JOIN idempotency i ON i.operation_id = k.id LEFT JOIN operations o ON o.id = k.id`,
        operationId,
      )
      .one();
    return {
      answer: row.fingerprint === null ? null : { fingerprint: row.fingerprint, status: row.status!, body: row.body! },
      record: row.record === null ? null : (JSON.parse(row.record) as OperationRecord),
    };
  }

  rememberAnswer(operationId: string, fingerprint: string, status: number, body: object, now: number): void {
    this.sql.exec(
      "INSERT INTO idempotency (operation_id, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
      operationId,
      fingerprint,
      status,
      JSON.stringify(body),
      now,
    );
  }

  forgetAnswersBefore(time: number): void {
    this.sql.exec("DELETE FROM idempotency WHERE created_at < ?", time);
  }

  // ---- cards ------------------------------------------------------------------------------------------------

  card(number: string): StoredCard | null {
    const cached = this.cardCache.get(number);
    if (cached) return { ...cached };
    const row =
      this.sql
        .exec<StoredCard>("SELECT number, status, block_reason, replaced_by, version FROM cards WHERE number = ?", number)
        .toArray()[0] ?? null;
    if (row) this.cardCache.set(number, { ...row });
    return row;
  }

  /** A card the route resolved to this member in D1; one never seen here was never blocked. */
  knownCard(number: string): StoredCard {
    const known = this.card(number);
    if (known) return known;
    this.sql.exec("INSERT OR IGNORE INTO cards (number, status, version) VALUES (?, 'active', 0)", number);
    return this.card(number)!;
  }

  cards(): Card[] {
    return this.sql.exec<Card>("SELECT number, status, block_reason, replaced_by FROM cards ORDER BY rowid").toArray();
  }

  updateCard(card: StoredCard): void {
    this.cardCache.delete(card.number);
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

  // ---- approval requests ------------------------------------------------------------------------------------

  request(id: string): ApprovalRequest | null {
    const row = this.sql.exec<{ body: string }>("SELECT body FROM approval_requests WHERE id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.body) as ApprovalRequest) : null;
  }

  pendingRequest(operationId: string): ApprovalRequest | null {
    const row = this.sql
      .exec<{ body: string }>("SELECT body FROM approval_requests WHERE operation_id = ? AND status = 'pending'", operationId)
      .toArray()[0];
    return row ? (JSON.parse(row.body) as ApprovalRequest) : null;
  }

  lastRequestTime(operationId: string): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT MAX(created_at) AS at FROM approval_requests WHERE operation_id = ?", operationId).one().at;
  }

  requests(status: ApprovalStatus | null, limit: number, before: number | null): ApprovalRequest[] {
    return this.sql
      .exec<{ body: string }>(
        `SELECT body FROM approval_requests WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3`,
        status,
        before,
        limit,
      )
      .toArray()
      .map((row) => JSON.parse(row.body) as ApprovalRequest);
  }

  requestSeq(id: string): number | null {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM approval_requests WHERE id = ?", id).toArray()[0]?.seq ?? null;
  }

  insertRequest(request: ApprovalRequest): void {
    this.sql.exec(
      "INSERT INTO approval_requests (id, operation_id, status, created_at, body) VALUES (?, ?, ?, ?, ?)",
      request.id,
      request.operation_id,
      request.status,
      Date.parse(request.created_at),
      JSON.stringify(request),
    );
  }

  /** Ends a pending request: answered, superseded, or closed with its operation. */
  closeRequest(request: ApprovalRequest, status: Exclude<ApprovalStatus, "pending">, now: number): void {
    request.status = status;
    request.answered_at = new Date(now).toISOString();
    this.sql.exec("UPDATE approval_requests SET status = ?, body = ? WHERE id = ?", status, JSON.stringify(request), request.id);
    this.changes.closedRequests.push(request);
  }

  // ---- one-time SMS codes -----------------------------------------------------------------------------------

  code(purpose: string): CodeState | null {
    return this.sql.exec<CodeState>("SELECT * FROM sms_codes WHERE purpose = ?", purpose).toArray()[0] ?? null;
  }

  /** Stores a code for its purpose, voiding the one before. */
  saveCode(state: CodeState): void {
    this.sql.exec(
      `INSERT INTO sms_codes (purpose, hash, issued_at, expires_at, attempts_left) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(purpose) DO UPDATE SET hash = excluded.hash, issued_at = excluded.issued_at,
         expires_at = excluded.expires_at, attempts_left = excluded.attempts_left`,
      state.purpose,
      state.hash,
      state.issued_at,
      state.expires_at,
      state.attempts_left,
    );
  }

  deleteCode(purpose: string): void {
    this.sql.exec("DELETE FROM sms_codes WHERE purpose = ?", purpose);
  }

  /** Send times of the last hour (all purposes), and the last one of `purpose`. */
  sends(purpose: string, since: number): { all: number[]; last: number | null } {
    this.sql.exec("DELETE FROM sms_sends WHERE sent_at < ?", since);
    const rows = this.sql.exec<{ purpose: string; sent_at: number }>("SELECT purpose, sent_at FROM sms_sends").toArray();
    const mine = rows.filter((row) => row.purpose === purpose).map((row) => row.sent_at);
    return { all: rows.map((row) => row.sent_at), last: mine.length > 0 ? Math.max(...mine) : null };
  }

  logSend(purpose: string, at: number): void {
    this.sql.exec("INSERT INTO sms_sends (purpose, sent_at) VALUES (?, ?)", purpose, at);
  }

  /** Takes back a send the provider refused: it neither counts against the limits nor leaves a code behind. */
  forgetSend(purpose: string, at: number): void {
    this.sql.exec("DELETE FROM sms_sends WHERE purpose = ? AND sent_at = ?", purpose, at);
    this.sql.exec("DELETE FROM sms_codes WHERE purpose = ? AND issued_at = ?", purpose, at);
  }

  // ---- outbox -----------------------------------------------------------------------------------------------

  /** Notes a message for D1 or a StoreDO; a transaction's messages are written as one outbox row when it ends. */
  enqueue(kind: OutboxItem["kind"], ref: string, payload: unknown = null): void {
    this.pendingOutbox.push({ kind, ref, payload });
  }

  /** An event for the tenant's event log and webhooks, shipped with the transaction's outbox (by its id: once). */
  event(id: string, type: string, createdAt: string, data: object): void {
    this.enqueue("event", id, { id, type, created_at: createdAt, data });
  }

  /** Writes the transaction's messages as one outbox row (inside the same transaction as the change). */
  flushOutbox(): void {
    if (this.pendingOutbox.length === 0) return;
    this.sql.exec("INSERT INTO outbox (kind, ref, payload) VALUES ('batch', '', ?)", JSON.stringify(this.pendingOutbox));
    this.pendingOutbox = [];
  }

  /** Every journal entry still waiting in the outbox. */
  unshippedEntries(): JournalEntry[] {
    return entriesIn(this.sql.exec<OutboxRow>("SELECT id, kind, ref, payload FROM outbox ORDER BY id").toArray());
  }

  outboxBatch(limit: number): OutboxRow[] {
    return this.sql.exec<OutboxRow>("SELECT id, kind, ref, payload FROM outbox ORDER BY id LIMIT ?", limit).toArray();
  }

  hasOutbox(): boolean {
    return this.sql.exec("SELECT 1 FROM outbox LIMIT 1").toArray().length > 0;
  }

  outboxSize(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }

  dropShipped(lastId: number): void {
    this.sql.exec("DELETE FROM outbox WHERE id <= ?", lastId);
  }
}
