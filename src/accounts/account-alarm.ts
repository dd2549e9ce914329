/**
 * When the account's messages leave for D1 and the StoreDOs. What a transaction writes to the outbox (a confirm and
 * the create it takes along, an alert, a cancel, a card change) ships at once, right after the answer, one shipment
 * at a time: rows written while one is on its way ride the next, so a busy account still ships in batches. A create
 * alone waits in its row for the confirm (up to CREATE_WAIT_MS).
 *
 * The one alarm is the guarantee behind that: set to the earliest of the outbox's next shipment, the first waiting
 * create's deadline, the next hold expiry and the next test answer, and reused when already set (setting it is a
 * row written; letting it ring for nothing costs less). When it rings the object expires holds and gives test
 * answers, then this ships what is left, backing off while D1 refuses. A shipment sent twice adds nothing (the
 * projection is keyed, store messages are idempotent).
 */
import type { Env } from "../env";
import type { AccountRef } from "./account-ref";
import type { AccountStorage } from "./account-storage";
import { shipAll, shipOutbox } from "../history/outbox";

/** The longest back-off between outbox shipments while D1 refuses them. */
const OUTBOX_RETRY_MAX_MS = 5 * 60 * 1000;
const OUTBOX_DELAY_MS = 1000;
/**
 * How long a create's own messages wait in its row for the confirm (or cancel) a till usually sends seconds later,
 * which then ships both at once; past it the alarm ships the create alone. The back-office lists (D1) show a pending
 * operation this much later at most; the history is read-your-writes regardless (entries ship with the confirm).
 */
export const CREATE_WAIT_MS = 10_000;

export class AccountAlarm {
  private alarmAt: number | null = null;
  private shipFailures = 0;
  private shipRetryAt = 0;
  /** Shipments go one at a time (two at once could drop each other's rows): each waits for the one before. */
  private turn: Promise<void> = Promise.resolve();
  /** A shipment is waiting its turn: rows written until it starts ride with it. */
  private queued = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly ledger: AccountStorage,
    private readonly account: () => AccountRef | null,
  ) {}

  /** Reads the alarm set before the object was evicted (in the constructor's blockConcurrencyWhile). */
  async wake(): Promise<boolean> {
    this.alarmAt = await this.ctx.storage.getAlarm();
    return this.alarmAt !== null;
  }

  rang(): void {
    this.alarmAt = null;
  }

  /**
   * Sets the alarm to the earliest of: the outbox's next shipment, CREATE_WAIT_MS after the first create waiting in
   * its row, the next hold expiry, the next test answer, or `at`.
   */
  async schedule(at?: number): Promise<void> {
    const now = Date.now();
    // An alarm due within the outbox delay will run soon and set the next one itself: nothing to work out now.
    if (at === undefined && this.alarmAt !== null && this.alarmAt <= now + OUTBOX_DELAY_MS && this.alarmAt > now - 60_000) return;
    const live = this.alarmAt !== null && this.alarmAt > now - 60_000 ? this.alarmAt : null;
    let next = at ?? Number.POSITIVE_INFINITY;
    if (at === undefined) {
      // While D1 is failing, waiting messages wait for the back-off instead of triggering a shipment each.
      const created = this.ledger.firstWaitingCreateAt();
      if (created !== null) next = Math.max(created + CREATE_WAIT_MS, this.shipRetryAt);
      if (this.ledger.outbox.hasRows()) {
        // The guarantee behind the shipment that left at once: an alarm already due within a create's wait is
        // reused (setting one is a row written), else one a moment from now.
        const soon = Math.max(now + OUTBOX_DELAY_MS, this.shipRetryAt);
        next = Math.min(next, live !== null && live <= soon + CREATE_WAIT_MS ? Math.max(live, soon) : soon);
      }
    }
    const expiry = this.ledger.nextExpiry();
    if (expiry !== null) next = Math.min(next, expiry);
    next = Math.min(next, this.ledger.requests.earliestTestAnswer);
    if (!Number.isFinite(next)) return;
    if (live !== null && live <= next) return;
    this.alarmAt = next;
    await this.ctx.storage.setAlarm(next);
  }

  /** Ships the outbox; on failure keeps it and tries again later, backing off. Then sets the next alarm. */
  async shipAndSchedule(account: AccountRef): Promise<void> {
    try {
      await this.inTurn(() => this.ship(account));
    } catch (error) {
      this.failed(error);
      await this.schedule(this.shipRetryAt);
      return;
    }
    this.succeeded();
    await this.schedule();
  }

  /**
   * After a transaction that wrote to the outbox: ships it in its turn (not awaited: the caller answers meanwhile);
   * rows written before that turn comes ride along. Not while shipments back off: the alarm tries then.
   */
  shipNow(): void {
    const account = this.account();
    if (!account || this.queued || this.shipRetryAt > Date.now()) return;
    this.queued = true;
    this.inTurn(async () => {
      this.queued = false;
      // A shipment that failed while this one waited has set a back-off: the alarm tries then.
      if (this.shipRetryAt > Date.now()) return;
      await shipAll(this.env, account, this.ledger.outbox, this.sources);
      this.succeeded();
    })
      // The alarm set after the transaction stands behind a shipment that failed: it tries again, backing off.
      .catch((error) => this.failed(error));
  }

  private succeeded(): void {
    this.shipFailures = 0;
    this.shipRetryAt = 0;
  }

  /** D1 (or a store) did not take the shipment: the outbox keeps it, and shipments back off. */
  private failed(error: unknown): void {
    this.shipFailures += 1;
    this.shipRetryAt = Date.now() + Math.min(OUTBOX_RETRY_MAX_MS, 1000 * 2 ** this.shipFailures);
    console.warn(`outbox shipment failed (attempt ${this.shipFailures}):`, String(error));
  }

  private inTurn(step: () => Promise<void>): Promise<void> {
    const run = this.turn.then(step);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private readonly sources = {
    operation: (id: string) => this.ledger.record(id),
    card: (number: string) => this.ledger.cards.card(number),
  };

  /** Ships the creates waiting in their rows, then the outbox. */
  private async ship(account: AccountRef): Promise<void> {
    const waiting = this.ledger.waitingCreates();
    if (waiting.length > 0) {
      await shipOutbox(this.env, account, waiting.map(({ outbox }) => ({ id: 0, kind: "batch", ref: "", payload: outbox })), this.sources);
      this.ledger.createsShipped(waiting.map(({ id }) => id));
    }
    await shipAll(this.env, account, this.ledger.outbox, this.sources);
  }
}
