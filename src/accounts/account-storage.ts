/**
 * The synchronous storage of one AccountDO: reads and writes of its SQLite tables, each change also written to the
 * outbox (for D1) and noted in `changes` (for the sockets and long polls the object serves once it commits).
 * Everything here runs inside the object's `transactionSync`.
 */
import { storeMessageRef } from "../lib/ids";
import { CounterStore } from "../limits/counter-store";
import type { Alert } from "../limits/limit";
import type { ApprovalRequest } from "./approval";
import { emptyAmounts, type AccountView } from "./ledger";
import type { JournalHead, Settled } from "./settlement";
import { METHODS, type Balances, type JournalEntry, type Method, type OperationRecord } from "./operation";
import type { OutboxItem, StoreMessage } from "../history/outbox";
import { AnswerStorage } from "./answer-storage";
import { CardStorage } from "./card-storage";
import { CodeStorage } from "./code-storage";
import { eventItem, OutboxStorage, type OutboxEvent } from "../history/outbox-storage";
import { RequestStorage } from "./request-storage";
import { storedTotalsOf } from "./account-totals";
import { lastJournalSeq } from "./journal-rows";
import { baseOfNew } from "../history/operation-moments";


/** How many recently written operations keep their stored text in memory. */
const RECENT_RECORDS = 256;

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
  /** When the earliest create waiting in its row was made (null: none; undefined: read it). */
  private firstWaitingCreate: number | null | undefined = undefined;
  /** No pending operation expires before this (a lower bound: 0 means "look"). */
  private earliestExpiry = 0;
  /** The journal's last sequence number (null: read it). */
  private lastSeq: number | null = null;
  /** The stored text of recently written operations, oldest first (absent: read the row). */
  private readonly recentRecords = new Map<string, string>();
  /**
   * Creates whose waiting messages the alarm shipped while their rows still hold them: the operation's next change
   * clears the row (clearing it at once would write one more row). Forgotten on restart, they ship once more, which
   * adds nothing to D1.
   */
  private readonly shippedCreates = new Set<string>();
  /** Balances and held totals per method, as in storage (null: read them). */
  private totals: { balances: Record<Method, number>; held: Record<Method, number>; incoming: Record<Method, number> } | null = null;
  readonly counters: CounterStore;

  /** The account's one-time SMS codes and sends. */
  readonly codes: CodeStorage;
  /** The account's cards: the copy that decides. */
  readonly cards: CardStorage;
  /** The first answers to creates, for a repeated Idempotency-Key. */
  readonly answers: AnswerStorage;
  /** The messages for D1 and the StoreDOs, written with each transaction. */
  readonly outbox: OutboxStorage;
  /** The account's approval requests, and the answers of test phones. */
  readonly requests: RequestStorage;

  constructor(private readonly sql: SqlStorage) {
    this.codes = new CodeStorage(sql);
    this.answers = new AnswerStorage(sql);
    this.outbox = new OutboxStorage(sql);
    this.cards = new CardStorage(sql, this.outbox);
    this.requests = new RequestStorage(sql, (request) => this.changes.closedRequests.push(request));
    this.counters = new CounterStore(sql);
  }

  // ---- balances ---------------------------------------------------------------------------------------------

  view(): AccountView {
    // Balances and pending totals are read once and then kept in step by every write below (the object is their
    // only writer); a rolled-back transaction drops them so they are read again.
    this.totals ??= storedTotalsOf(this.sql);
    const { balances, held, incoming } = this.totals;
    return { balances: { ...balances }, held: { ...held }, incoming: { ...incoming }, cardStatus: (number) => this.cards.card(number)?.status };
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

  /** The refunds of a purchase, each as recorded. */
  refundsOf(id: string): OperationRecord[] {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM operations WHERE record ->> '$.operation.original_operation_id' = ?", id)
      .toArray()
      .map((row) => JSON.parse(row.record) as OperationRecord);
  }

  /** Notes the text just written for an operation, so the next step of it (confirm, cancel) reads no row. */
  private recent(id: string, text: string): void {
    this.recentRecords.delete(id);
    this.recentRecords.set(id, text);
    if (this.recentRecords.size > RECENT_RECORDS) this.recentRecords.delete(this.recentRecords.keys().next().value!);
  }

  /**
   * A new operation; `first`: its create's answer and the fingerprint of its request, for a repeat of its key.
   * `created` is its operation.created event. When the create says nothing else, its messages (the operation and
   * that event) wait in the operation's own row instead of an outbox row: the confirm that usually follows within
   * seconds takes them along (saveRecord), or the alarm ships them after CREATE_WAIT_MS (account-alarm.ts).
   */
  insertRecord(record: OperationRecord, first: { fingerprint: string; answer: string }, created: OutboxEvent): void {
    const op = record.operation;
    record.base ??= baseOfNew(op);
    const text = JSON.stringify(record);
    const messages: OutboxItem[] = [{ kind: "operation", ref: op.id, payload: null }, eventItem(created)];
    const waits = this.outbox.nothingGathered();
    this.sql.exec(
      "INSERT INTO operations (id, status, card, expires_at, created_at, record, fingerprint, answer, outbox) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      op.id,
      op.status,
      op.card,
      Date.parse(op.expires_at),
      Date.parse(op.created_at),
      text,
      first.fingerprint,
      first.answer,
      waits ? JSON.stringify(messages) : null,
    );
    if (waits) this.firstWaitingCreate = Math.min(this.firstWaitingCreate ?? Number.POSITIVE_INFINITY, Date.parse(op.created_at));
    else this.outbox.adopt(messages);
    this.recent(op.id, text);
    this.placeHolds(record);
    this.changes.operations.add(op.id);
    this.earliestExpiry = Math.min(this.earliestExpiry, Date.parse(op.expires_at));
  }

  saveRecord(record: OperationRecord, now: number): void {
    record.version += 1;
    record.operation.updated_at = new Date(now).toISOString();
    const text = JSON.stringify(record);
    // A create's messages still waiting in the row go with this change (the operation ships once, as it is now).
    const waiting = this.sql.exec<{ outbox: string }>("SELECT outbox FROM operations WHERE id = ? AND outbox IS NOT NULL", record.operation.id).toArray()[0];
    const adopted = waiting !== undefined && !this.shippedCreates.delete(record.operation.id);
    if (adopted) {
      this.outbox.adopt(JSON.parse(waiting.outbox) as OutboxItem[]);
      this.firstWaitingCreate = undefined;
    }
    this.sql.exec("UPDATE operations SET status = ?, record = ?, outbox = NULL WHERE id = ?", record.operation.status, text, record.operation.id);
    this.recent(record.operation.id, text);
    if (!adopted) this.outbox.enqueue("operation", record.operation.id);
    this.changes.operations.add(record.operation.id);
  }

  /** The creates whose messages still wait in their rows (every one is pending: any change takes them along). */
  waitingCreates(): { id: string; created_at: number; outbox: string }[] {
    return this.sql
      .exec<{ id: string; created_at: number; outbox: string }>("SELECT id, created_at, outbox FROM operations WHERE status = 'pending' AND outbox IS NOT NULL")
      .toArray()
      .filter(({ id }) => !this.shippedCreates.has(id));
  }

  /** When the earliest create still waiting was made (null: none waits). */
  firstWaitingCreateAt(): number | null {
    if (this.firstWaitingCreate === undefined) {
      const waiting = this.waitingCreates();
      this.firstWaitingCreate = waiting.length === 0 ? null : Math.min(...waiting.map(({ created_at }) => created_at));
    }
    return this.firstWaitingCreate;
  }

  /** The alarm shipped these creates' messages: they wait no more (one changed meanwhile has no row left holding them). */
  createsShipped(ids: string[]): void {
    const still = new Set(this.waitingCreates().map(({ id }) => id));
    for (const id of ids) if (still.has(id)) this.shippedCreates.add(id);
    this.firstWaitingCreate = undefined;
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

  /** The balances and the journal's next sequence number, for a confirm. */
  journalHead(): JournalHead {
    this.lastSeq ??= lastJournalSeq(this.sql);
    return { balances: this.view().balances, nextSeq: this.lastSeq + 1 };
  }

  /** Persists an operation's end as `settlement.ts` decided it: entries, balances, both records, then each effect. */
  settle(settled: Settled, now: number): void {
    const { record, original } = settled;
    // One journal row per settlement: its first entry in the columns, the others after it in `more_entries`, and
    // the balances after them all (the journal's last row holds the balances).
    const [first, ...more] = settled.entries;
    if (first) {
      this.sql.exec(
        `INSERT INTO journal (seq, id, operation_id, kind, method, amount, balance_after, store_id, register_id, created_at, balances, more_entries)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        first.seq,
        first.id,
        first.operation_id,
        first.kind,
        first.method,
        first.amount,
        first.balance_after,
        first.store_id,
        first.register_id,
        first.created_at,
        settled.balances ? JSON.stringify(settled.balances) : null,
        more.length > 0 ? JSON.stringify(more) : null,
      );
    }
    for (const entry of settled.entries) {
      this.outbox.enqueue("entry", entry.id, entry);
      this.changes.entries.push(entry);
      this.lastSeq = entry.seq;
    }
    // No entry, no balance moved (postings make an entry of every change).
    if (settled.balances && first && this.totals) this.totals.balances = { ...settled.balances };
    this.adjustHeld(record, -1);
    if (settled.balances || METHODS.some((m) => (record.holds[m] ?? 0) > 0)) this.changes.balances = true;
    this.saveRecord(record, now);
    if (original) this.saveRecord(original, now);
    for (const effect of settled.effects) {
      if (effect.kind === "event") this.outbox.event(effect);
      else if (effect.kind === "store") this.tellStore(effect.store_id, effect.message);
      else if (effect.kind === "close_request") {
        const pending = this.requests.pendingOf(effect.operation_id);
        if (pending) this.requests.close(pending, effect.status, now);
      } else if (effect.action === "give_back") this.counters.giveBack(effect.changes);
      else if (effect.action === "commit") this.counters.commit(effect.operation_id);
      else this.counters.release(effect.operation_id);
    }
  }

  /** A message for a StoreDO (commit, release, refund), shipped right after the transaction (the alarm behind it). */
  tellStore(storeId: string, message: StoreMessage): void {
    this.outbox.enqueue("store", storeMessageRef(storeId, message.operation_id, message.action), { store_id: storeId, ...message });
  }

  enqueueAlert(alert: Alert): void {
    this.outbox.enqueue("alert", alert.id, alert);
  }

  /**
   * On waking, in one query: whether the outbox has rows (or a create waits in its row), and when the first pending operation expires (which
   * also tells `dueOperations` that nothing is due before then).
   */
  wake(): { outbox: boolean; nextExpiry: number | null; nextTestAnswer: number | null } {
    const row = this.sql
      .exec<{ outbox: number; expiry: number | null; answer: number | null }>(
        `SELECT EXISTS (SELECT 1 FROM outbox) OR EXISTS (SELECT 1 FROM operations WHERE status = 'pending' AND outbox IS NOT NULL) AS outbox,
           (SELECT MIN(expires_at) FROM operations WHERE status = 'pending') AS expiry,
           (SELECT MIN(due_at) FROM test_answers) AS answer`,
      )
      .one();
    this.earliestExpiry = row.expiry ?? Number.POSITIVE_INFINITY;
    this.requests.earliestTestAnswer = row.answer ?? Number.POSITIVE_INFINITY;
    return { outbox: row.outbox === 1, nextExpiry: row.expiry, nextTestAnswer: row.answer };
  }

  /** Whether a pending operation may be due at `now` (false: certainly none is). */
  mayBeDue(now: number): boolean {
    return now >= this.earliestExpiry;
  }

  /** The pending operations past their expiry at `now`; nothing can be due before the earliest expiry seen. */
  dueOperations(now: number): OperationRecord[] {
    if (now < this.earliestExpiry) return [];
    return this.sql
      .exec<{ id: string }>("SELECT id FROM operations WHERE status = 'pending' AND expires_at <= ?", now)
      .toArray()
      .map(({ id }) => this.record(id)!);
  }

  /** The due operations are expired: no other expires before the next expiry (most calls then need no query). */
  expiriesSeen(): void {
    this.earliestExpiry = this.nextExpiry() ?? Number.POSITIVE_INFINITY;
  }

  /** After a rollback: re-read from storage rather than trust what memory says. */
  forgetCachedState(): void {
    this.outbox.discard();
    this.firstWaitingCreate = undefined;
    this.earliestExpiry = 0;
    this.requests.earliestTestAnswer = 0;
    this.totals = null;
    this.lastSeq = null;
    this.cards.forgetCached();
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

}
