/**
 * The account's one alarm: set to the earliest of the outbox's next shipment, the next hold expiry and the next
 * test answer; when it rings the object expires holds and gives test answers, then this ships the outbox to D1 in
 * batches, backing off while D1 refuses. A shipment sent twice adds nothing (the projection is keyed).
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

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly ledger: AccountStorage,
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
        // Rows wait a moment so that a busy account ships them in batches, and ride along with an alarm already due
        // within a create's wait (the confirm of a create that waits ships with it).
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
      await this.ship(account);
      this.shipFailures = 0;
    } catch (error) {
      // D1 did not take the batch: keep the outbox and try again later, backing off.
      this.shipFailures += 1;
      this.shipRetryAt = Date.now() + Math.min(OUTBOX_RETRY_MAX_MS, 1000 * 2 ** this.shipFailures);
      console.warn(`outbox shipment failed (attempt ${this.shipFailures}):`, String(error));
      await this.schedule(this.shipRetryAt);
      return;
    }
    this.shipRetryAt = 0;
    await this.schedule();
  }

  /** Ships the creates waiting in their rows, then the outbox. */
  private async ship(account: AccountRef): Promise<void> {
    const sources = {
      operation: (id: string) => this.ledger.record(id),
      card: (number: string) => this.ledger.cards.card(number),
    };
    const waiting = this.ledger.waitingCreates();
    if (waiting.length > 0) {
      await shipOutbox(this.env, account, waiting.map(({ outbox }) => ({ id: 0, kind: "batch", ref: "", payload: outbox })), sources);
      this.ledger.createsShipped(waiting.map(({ id }) => id));
    }
    await shipAll(this.env, account, this.ledger.outbox, sources);
  }
}
