/**
 * One tenant's history writer for one D1 database — a shard of the tenant's, or the directory (DB) — so a tenant's
 * write rate grows with its shards: the group commit in front of that database. Accounts (and stores and the
 * tenant, with their alerts) hand it their shipments' parts for it; it gathers those
 * that arrive within a short window and writes them in one D1 batch, so D1 takes one transaction per window rather
 * than one per account (a D1 database runs one query at a time, and very many quiet accounts would otherwise send
 * one small batch per operation pair each).
 *
 * One D1 batch at a time: while D1 is slow, shipments gather into the next batch (up to 256) instead of piling up
 * on it as batches of their own.
 *
 * It keeps nothing: an account drops its outbox rows only after `write` said D1 has them, so a writer evicted or failing
 * mid-batch makes the accounts ship again later, and every statement is idempotent. A batch D1 refuses is tried
 * again one shipment at a time, so one bad shipment fails alone instead of holding back the others.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { projectShipments, ShardNotes, type Shipment } from "./projection";
import { forgetOldLogs, forgetOldTestSms } from "../db/events";
import { dropPastRetention } from "../archive/retention";
import { tenantShards } from "../shards/tenant-shards";
import { DIRECTORY } from "./shipment-parts";
import { MAX_ATTEMPTS } from "../webhooks/webhook-do";

/**
 * How long a batch stays open for more shipments (history is not on any request's path). Each D1 batch has a fixed
 * cost, so fewer, larger batches leave more for the accounts: 100 ms against 25 ms took (3)'s worker CPU per request
 * from 1.15 to 0.94 ms in the bench.
 */
const WINDOW_MS = 100;
/** A batch holds at most this many shipments, and is written at once when it has them. */
const MAX_SHIPMENTS = 256;

/** How often a writer drops the tenant's events older than 30 days (after a batch it wrote). */
const FORGET_EVERY_MS = 60 * 60 * 1000;

/** What `write` answers: D1 holds the shipment, or why not (a value, not a thrown error: the account decides). */
export type WriteResult = { written: true } | { written: false; reason: string };

interface Waiting {
  shipment: Shipment;
  settle(result: WriteResult): void;
}

export class HistoryWriterDO extends DurableObject<Env> {
  private open: Waiting[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** A D1 batch is under way: what arrives meanwhile waits for it, then goes in the next (one batch at a time). */
  private committing = false;
  /** The tenant and database this writer is named after, from its first shipment: a batch never mixes them. */
  private tenant: string | null = null;
  private target: string | null = null;
  /** When this instance last dropped old events (each new instance does it after its first batch). */
  private forgotAt = 0;
  /** What its shard batches keep between them: the rows to add to the shard's daily count, the log tables made. */
  private readonly notes = new ShardNotes();

  /** Answers once D1 holds the shipment, or once D1 refused it. */
  async write(target: string, shipment: Shipment): Promise<WriteResult> {
    this.tenant ??= shipment.tenant_id;
    this.target ??= target;
    if (shipment.tenant_id !== this.tenant || target !== this.target) return { written: false, reason: "a shipment of another tenant or database reached this history writer" };
    const written = new Promise<WriteResult>((settle) => this.open.push({ shipment, settle }));
    if (this.open.length >= MAX_SHIPMENTS) this.close();
    else
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.close();
      }, WINDOW_MS);
    return written;
  }

  private close(): void {
    // A window still open is closed early (a full batch, or the last batch ended); a fired one has cleared itself.
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.committing || this.open.length === 0) return;
    const batch = this.open.splice(0, MAX_SHIPMENTS);
    this.committing = true;
    void this.commit(batch).finally(() => {
      this.committing = false;
      // Shipments that came during the batch have waited long enough.
      this.close();
    });
  }

  /**
   * The event log and deliveries are kept 30 days (API.md), on the shards; test SMS 7, in the directory; operations
   * and history as long as the shard's tenants keep them (archived, then dropped by generation:
   * src/archive/retention.ts). A shard's writer drops them beside its batches, not in their way, on every shard of
   * the tenant (those of its past epochs get no batch any more); a failed run is tried within the hour.
   */
  private forgetOldLogsIfDue(): void {
    if (this.target === DIRECTORY || Date.now() - this.forgotAt < FORGET_EVERY_MS) return;
    this.forgotAt = Date.now();
    const tenant = this.tenant!;
    // The writer of the tenant's first shard does it for all of them (a tenant's other writers would repeat it).
    const forgotten = tenantShards(this.env, tenant).then((shards) =>
      shards.all[0].id !== this.target
        ? undefined
        : Promise.all([
            ...shards.all.map((shard) => forgetOldLogs(shard.d1, tenant, MAX_ATTEMPTS)),
            ...shards.all.map((shard) => dropPastRetention(this.env, shard.id)),
            forgetOldTestSms(this.env.DB, tenant),
          ]),
    );
    void forgotten.catch((error) => console.warn("dropping old logs failed:", String(error)));
  }

  private async commit(batch: Waiting[]): Promise<void> {
    try {
      await projectShipments(this.env, this.tenant!, this.target!, batch.map((w) => w.shipment), this.notes);
      for (const w of batch) w.settle({ written: true });
      this.forgetOldLogsIfDue();
    } catch (error) {
      if (batch.length === 1) return batch[0].settle({ written: false, reason: error instanceof Error ? error.message : String(error) });
      await Promise.all(batch.map((w) => this.commit([w])));
    }
  }
}
