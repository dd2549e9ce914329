/**
 * One store's register- and store-level limit counters and its registers' Idempotency-Key claims: what many members
 * share needs its own single writer. `claimKey` gives a key to the first operation that uses it, `reserve` counts an
 * operation at hold time (idempotent by operation id, claiming its key in the same transaction), `commit` makes it
 * final, `release` gives it back, `refund` gives back a refund's share. Alerts go to D1 through the outbox every object
 * has (history/outbox.ts), shipped from the store's alarm, set for now when an alert is written.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { StoredCounter } from "../limits/counters-view";
import { newId, refundDecisionKey } from "../lib/ids";
import { ensureSchema } from "../lib/sqlite-schema";
import { COUNTER_SCHEMA, CounterStore, upgradeCounterSchema } from "../limits/counter-store";
import { decisionRefusal, evaluateLimits, refundGiveBack, type RefundGiveBack } from "../limits/evaluate";
import type { Limit, OperationFacts } from "../limits/limit";
import { shipAll } from "../history/outbox";
import { adoptAlertOutbox, OUTBOX_SCHEMA, OutboxStorage, upgradeOutbox } from "../history/outbox-storage";
import type { Refusal } from "../lib/refusal";
import { KeyClaims, upgradeKeyClaims } from "./key-claims";

/** The StoreDO's tables (docs/storage.md has a row for each); its key claims make their own (key-claims.ts). */
export const STORE_SCHEMA = `${COUNTER_SCHEMA}
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
  operation_id TEXT PRIMARY KEY, status TEXT NOT NULL, refusal TEXT, release_after INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_open ON decisions(status, release_after);
${OUTBOX_SCHEMA}
`;
/**
 * Version 3: limit_reservations.basis (added to older objects by upgradeCounterSchema). Version 4: the outbox.
 * Version 5: the outbox without AUTOINCREMENT, key claims in generations (key-claims.ts).
 */
const SCHEMA_VERSION = 5;
/** A shipment D1 refused is tried again this much later. */
const SHIP_RETRY_MS = 5_000;

/** A reservation whose commit or release never came (the account lost it) is given back this long after its hold expired. */
const STALE_AFTER_MS = 60 * 60 * 1000;

export interface StoreRef {
  tenant_id: string;
  store_id: string;
}

export interface Reservation {
  facts: OperationFacts;
  limits: Limit[];
  time_zone: string;
  /** When the operation's hold expires (a reservation is never kept much past it). */
  expires_at: number;
  /** PATCH: count the operation anew in place of what it counted before. */
  replace?: boolean;
  /** A create: claim its Idempotency-Key first (a key that went to another operation is refused, and counts nothing). */
  claim?: KeyClaim;
}

/** A register's Idempotency-Key (`key`: the part of the operation id derived from tenant, register and key). */
export interface KeyClaim {
  key: string;
  operation_id: string;
  /** When the create came (claims are kept 3 days from then). */
  at: number;
}

export class StoreDO extends DurableObject<Env> {
  private readonly counters: CounterStore;
  private readonly outbox: OutboxStorage;
  private readonly claims: KeyClaims;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.counters = new CounterStore(ctx.storage.sql);
    this.outbox = new OutboxStorage(ctx.storage.sql);
    this.claims = new KeyClaims(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      ensureSchema(ctx.storage.sql, STORE_SCHEMA, SCHEMA_VERSION, () => {
        upgradeCounterSchema(ctx.storage.sql);
        upgradeOutbox(ctx.storage.sql);
        adoptAlertOutbox(ctx.storage.sql);
        upgradeKeyClaims(ctx.storage.sql, Date.now());
      });
      // Outbox rows with no alarm to ship them (the object died between its commit and setting the alarm): set one.
      if (this.outbox.hasRows() && (await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now());
    });
  }

  /**
   * Claims a register's Idempotency-Key for an operation: null when the key is new or already went to this same
   * operation (a retry: the account answers it); `idempotency_key_reused` when it went to another operation, which
   * names another member's card: a different request.
   */
  async claimKey(store: StoreRef, claim: KeyClaim): Promise<Refusal | null> {
    return this.ctx.storage.transactionSync(() => this.claims.claim(claim));
  }

  /** Checks and counts register and store limits at hold time; the same answer for the same operation id. */
  async reserve(store: StoreRef, reservation: Reservation, now = Date.now()): Promise<{ refusal: Refusal | null }> {
    const { facts } = reservation;
    const answer = this.ctx.storage.transactionSync(() => {
      const reused = reservation.claim ? this.claims.claim(reservation.claim) : null;
      if (reused) return { refusal: reused };
      this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('tenant', ?)", store.tenant_id);
      const prior = this.sql.exec<{ status: string; refusal: string | null }>("SELECT status, refusal FROM decisions WHERE operation_id = ?", facts.id).toArray()[0];
      if (prior && !reservation.replace) return { refusal: prior.refusal ? (JSON.parse(prior.refusal) as Refusal) : null };
      const counter = reservation.replace ? (key: Parameters<CounterStore["counter"]>[0]) => this.counters.counterWithout(facts.id, key) : this.counters.counter.bind(this.counters);
      const decision = evaluateLimits(reservation.limits, facts, now, reservation.time_zone, counter);
      for (const alert of decision.alerts) {
        const id = newId("alt");
        this.outbox.enqueue("alert", id, { ...alert, id, created_at: new Date(now).toISOString() });
      }
      this.outbox.flush();
      const refusal = decisionRefusal(decision);
      if (refusal) {
        if (!prior) this.sql.exec("INSERT INTO decisions (operation_id, status, refusal, release_after) VALUES (?, 'refused', ?, 0)", facts.id, JSON.stringify(refusal));
        return { refusal };
      }
      if (reservation.replace) this.counters.release(facts.id);
      this.counters.reserve(facts.id, decision.changes, decision.softMarks);
      this.sql.exec(
        `INSERT INTO decisions (operation_id, status, refusal, release_after) VALUES (?, 'reserved', NULL, ?)
         ON CONFLICT(operation_id) DO UPDATE SET status = 'reserved', refusal = NULL, release_after = excluded.release_after`,
        facts.id,
        reservation.expires_at + STALE_AFTER_MS,
      );
      return { refusal: null };
    });
    await this.scheduleAlarm();
    return answer;
  }

  async commit(store: StoreRef, operationId: string): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      if (this.status(operationId) !== "reserved") return;
      this.counters.commit(operationId);
      this.sql.exec("UPDATE decisions SET status = 'committed' WHERE operation_id = ?", operationId);
    });
  }

  async release(store: StoreRef, operationId: string): Promise<void> {
    this.ctx.storage.transactionSync(() => this.releaseReserved(operationId));
  }

  async refund(store: StoreRef, refund: { operation_id: string; original_id: string } & RefundGiveBack): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      const key = refundDecisionKey(refund.operation_id);
      if (this.status(key) !== null) return;
      this.counters.giveBack(refundGiveBack(this.counters.committedOf(refund.original_id), refund));
      this.sql.exec("INSERT INTO decisions (operation_id, status, release_after) VALUES (?, 'refund', 0)", key);
    });
  }

  /** A limit's register and store counters here, with what is still held (GET /v1/limits/{id}/counters). */
  async limitCounters(limitId: string): Promise<StoredCounter[]> {
    return this.counters.countersOf(limitId);
  }

  /** Outbox rows not shipped yet, for tests and audits. */
  async outboxSize(): Promise<number> {
    return this.outbox.size();
  }

  /** Counter values, for tests and audits. */
  async counterValue(limitId: string, subject: string, window: string): Promise<number> {
    return this.counters.counter({ limit_id: limitId, subject, window }).value;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      const stale = this.sql
        .exec<{ operation_id: string }>("SELECT operation_id FROM decisions WHERE status = 'reserved' AND release_after <= ?", now)
        .toArray();
      for (const { operation_id } of stale) this.releaseReserved(operation_id);
    });
    const tenantId = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'tenant'").toArray()[0]?.value;
    if (tenantId) {
      try {
        await shipAll(this.env, { tenant_id: tenantId, member_id: null }, this.outbox);
      } catch (error) {
        console.warn("store outbox shipment failed:", String(error));
        await this.ctx.storage.setAlarm(Date.now() + SHIP_RETRY_MS);
        return;
      }
    }
    await this.scheduleAlarm();
  }

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  private status(operationId: string): string | null {
    return this.sql.exec<{ status: string }>("SELECT status FROM decisions WHERE operation_id = ?", operationId).toArray()[0]?.status ?? null;
  }

  private releaseReserved(operationId: string): void {
    if (this.status(operationId) !== "reserved") return;
    this.counters.release(operationId);
    this.sql.exec("UPDATE decisions SET status = 'released' WHERE operation_id = ?", operationId);
  }

  private async scheduleAlarm(): Promise<void> {
    const hasAlerts = this.outbox.hasRows();
    const stale = this.sql.exec<{ at: number | null }>("SELECT MIN(release_after) AS at FROM decisions WHERE status = 'reserved'").one().at;
    const next = hasAlerts ? Date.now() : stale;
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(next);
  }
}
