/**
 * The account's one alarm: set to the earliest of the outbox's next shipment, the next hold expiry and the next
 * test answer; when it rings the object expires holds and gives test answers, then this ships the outbox to D1 in
 * batches, backing off while D1 refuses. A shipment sent twice adds nothing (the projection is keyed).
 */
import type { Env } from "../env";
import type { AccountRef } from "./account-ref";
import type { AccountStorage } from "./account-storage";
import { shipAll } from "../history/outbox";

/** The longest back-off between outbox shipments while D1 refuses them. */
const OUTBOX_RETRY_MAX_MS = 5 * 60 * 1000;
const OUTBOX_DELAY_MS = 1000;

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

  /** Sets the alarm to the earliest of: now when the outbox has rows, the next hold expiry, the next test answer, or `at`. */
  async schedule(at?: number): Promise<void> {
    // An alarm due within the outbox delay will run soon and set the next one itself: nothing to work out now.
    if (at === undefined && this.alarmAt !== null && this.alarmAt <= Date.now() + OUTBOX_DELAY_MS && this.alarmAt > Date.now() - 60_000) return;
    let next = at ?? Number.POSITIVE_INFINITY;
    if (at === undefined && this.ledger.outbox.hasRows()) {
      // Rows wait a moment so that a busy account ships them in batches; while D1 is failing they wait for the
      // back-off instead of triggering a shipment each.
      next = Math.max(Date.now() + OUTBOX_DELAY_MS, this.shipRetryAt);
    }
    const expiry = this.ledger.nextExpiry();
    if (expiry !== null) next = Math.min(next, expiry);
    next = Math.min(next, this.ledger.requests.earliestTestAnswer);
    if (!Number.isFinite(next)) return;
    if (this.alarmAt !== null && this.alarmAt <= next && this.alarmAt > Date.now() - 60_000) return;
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

  private ship(account: AccountRef): Promise<void> {
    return shipAll(this.env, account, this.ledger.outbox, {
      operation: (id) => this.ledger.record(id),
      card: (number) => this.ledger.cards.card(number),
    });
  }
}
