/**
 * The tenant's audit chain as its one sealer keeps it (inside the TenantDO): the head it sealed, the place keying
 * began, what an owner accepted of a break, and the places it sealed lately. It seals only after a head it wrote
 * itself: a chain cut, edited or re-forged in D1 is found at the next seal or verification, raises
 * `audit.chain_broken` once, and stays broken — nothing more is sealed, verification fails — until an owner accepts
 * the chain as it now stands (acknowledging the alert with a note).
 */
import { chainHead } from "../db/audit";
import { newId } from "../lib/ids";
import type { TenantAlert } from "../limits/limit";
import { acceptedDigest, sameHead, type Accepted, type ChainRules } from "./audit-chain";
import type { SealedEntry } from "./audit-chain";
import { sealWaiting, walkChain, type SealedHead } from "./seal";

/** The sealer's tables, in the TenantDO's schema. */
export const AUDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_accepted (seq INTEGER PRIMARY KEY, digest TEXT, after INTEGER);
CREATE TABLE IF NOT EXISTS audit_seals (seq INTEGER PRIMARY KEY, id TEXT NOT NULL);
`;
/** How many recent places are remembered, to name an entry cut from D1. */
const SEALS_KEPT = 1000;

export type Verified = { entries: number; valid: boolean; first_broken?: string };
type Broken = { first_broken: string; alert_id: string };
/** A batch told before it is written: its last entry, and the places it chains. */
type Pending = { last: SealedHead; places: [number, string][] };
/** Where keying starts for a chain sealed before the key: nowhere (every place hashed plainly). */
const PLAIN = Number.POSITIVE_INFINITY;

export class AuditSealer {
  constructor(
    private readonly sql: SqlStorage,
    private readonly d1: D1Database,
    private readonly keyed: (text: string) => Promise<string>,
    /** Writes the alert in the object's outbox; called inside the transaction that marks the chain broken. */
    private readonly raise: (alert: TenantAlert) => void,
    private readonly transaction: <T>(fn: () => T) => T,
  ) {}

  /** Chains what was written since the last seal; a head in D1 this sealer did not write stops it (and is reported). */
  async seal(tenantId: string): Promise<number> {
    if (this.broken()) return 0;
    const found = await chainHead(this.d1, tenantId);
    let head = this.head();
    const pending = this.meta<Pending>("audit_pending");
    // A seal that died between telling and writing: D1 says whether its batch landed.
    if (pending && sameHead(found, pending.last)) head = this.commit(pending.last, pending.places);
    this.setMeta("audit_pending", null);
    if (this.meta<number>("audit_keyed_from") === null && found !== null && !sameHead(head, found)) head = await this.adoptUnkeyed(tenantId, head, found);
    if (!sameHead(head, found)) {
      await this.verify(tenantId);
      return 0;
    }
    const rules = this.rules(head);
    return sealWaiting(this.d1, tenantId, head, rules, {
      writing: (last, chained) => this.setMeta("audit_pending", { last, places: placesOf(chained) } satisfies Pending),
      written: (last, chained) => {
        this.commit(last, placesOf(chained));
        this.setMeta("audit_pending", null);
      },
    });
  }

  /**
   * Before the chain was keyed, sealers wrote D1 first and their own head after, so a crash could leave D1 ahead: the
   * entries after this sealer's head (all of them, before it had one) are taken when they hold as plainly chained.
   */
  private async adoptUnkeyed(tenantId: string, head: SealedHead | null, found: SealedHead): Promise<SealedHead | null> {
    const walk = await walkChain(this.d1, tenantId, { keyedFrom: PLAIN, keyed: this.keyed, accepted: new Map() }, undefined, head);
    return !walk.broken && sameHead(walk.reached, found) ? this.commit(found, []) : head;
  }

  /** Walks the chain: valid, or the first entry changed. A break seen for the first time raises the alert. */
  async verify(tenantId: string): Promise<Verified> {
    const head = this.head();
    const walk = await walkChain(this.d1, tenantId, this.rules(head));
    let firstBroken = walk.broken ? this.firstChanged(walk.broken.seq, walk.reached?.seq ?? 0, walk.broken.id) : null;
    // Cut from the end, or replaced: the chain stops short of (or past) the head this sealer wrote.
    if (!firstBroken && head && !sameHead(walk.reached, head)) firstBroken = this.firstChanged((walk.reached?.seq ?? 0) + 1, walk.reached?.seq ?? 0, head.id);
    const known = this.broken();
    if (firstBroken && !known) this.markBroken(tenantId, firstBroken, head, walk.reached?.seq ?? 0);
    const named = known?.first_broken ?? firstBroken;
    return named ? { entries: walk.entries, valid: false, first_broken: named } : { entries: walk.entries, valid: true };
  }

  /**
   * An owner accepts the chain as D1 now holds it: every entry that does not hold is trusted as it is stored, a cut
   * end is a gap the next entries follow (its places are never used again), and sealing goes on. Idempotent.
   */
  async accept(tenantId: string, alertId: string): Promise<Verified> {
    // Only the alert of the break standing now accepts it (an older alert, resolved late, accepts nothing new).
    if (this.broken()?.alert_id !== alertId) return this.verify(tenantId);
    const head = this.head();
    const accepted: [number, Accepted][] = [];
    const rules = this.rules(head);
    const walk = await walkChain(this.d1, tenantId, rules, async (entry, after) => {
      const taken: Accepted = { digest: await acceptedDigest(entry, rules), after };
      accepted.push([entry.seq, taken]);
      (rules.accepted as Map<number, Accepted>).set(entry.seq, taken);
    });
    const reached = walk.reached;
    // The places sealed before are never used again, even when nothing of the chain is left.
    const next = Math.max(head?.next ?? (head?.seq ?? 0) + 1, (reached?.seq ?? 0) + 1);
    this.transaction(() => {
      for (const [seq, taken] of accepted) this.sql.exec("INSERT OR REPLACE INTO audit_accepted (seq, digest, after) VALUES (?, ?, ?)", seq, taken.digest ?? null, taken.after ?? null);
      if (next > (reached?.seq ?? 0) + 1) this.sql.exec("INSERT OR REPLACE INTO audit_accepted (seq, digest, after) VALUES (?, NULL, ?)", next, reached?.seq ?? 0);
      this.setMeta("audit_head", { ...(reached ?? { seq: 0, hash: "", id: "" }), next } satisfies SealedHead);
      this.setMeta("audit_pending", null);
      this.setMeta("audit_broken", null);
    });
    await this.seal(tenantId);
    return this.verify(tenantId);
  }

  /** The last entry this sealer chained (null before its first seal). */
  head(): SealedHead | null {
    return this.meta<SealedHead>("audit_head");
  }

  private broken(): Broken | null {
    return this.meta<Broken>("audit_broken");
  }

  private rules(head: SealedHead | null): ChainRules {
    let keyedFrom = this.meta<number>("audit_keyed_from");
    if (keyedFrom === null) {
      // Keying starts with the first place sealed from now on; what was sealed before keeps its plain hashes.
      keyedFrom = head?.next ?? (head?.seq ?? 0) + 1;
      this.setMeta("audit_keyed_from", keyedFrom);
    }
    const accepted = new Map<number, Accepted>();
    for (const row of this.sql.exec<{ seq: number; digest: string | null; after: number | null }>("SELECT seq, digest, after FROM audit_accepted").toArray()) {
      accepted.set(row.seq, { ...(row.digest !== null ? { digest: row.digest } : {}), ...(row.after !== null ? { after: row.after } : {}) });
    }
    return { keyedFrom, keyed: this.keyed, accepted };
  }

  /** The entry actually changed: where places skip (entries removed), the first one missing, by the places remembered. */
  private firstChanged(seq: number, reachedSeq: number, otherwise: string): string {
    const missing = seq > reachedSeq + 1 ? reachedSeq + 1 : seq;
    return this.sql.exec<{ id: string }>("SELECT id FROM audit_seals WHERE seq = ?", missing).toArray()[0]?.id ?? otherwise;
  }

  private markBroken(tenantId: string, firstBroken: string, head: SealedHead | null, reachedSeq: number): void {
    const id = newId("alt");
    this.transaction(() => {
      this.setMeta("audit_broken", { first_broken: firstBroken, alert_id: id } satisfies Broken);
      this.raise({
        id,
        type: "audit.chain_broken",
        scope_id: tenantId,
        metric: "audit_entries",
        period: "lifetime",
        bound: head?.seq ?? 0,
        value: reachedSeq,
        created_at: new Date().toISOString(),
      });
    });
  }

  private commit(head: SealedHead, places: [number, string][]): SealedHead {
    this.transaction(() => {
      this.setMeta("audit_head", head);
      for (const [seq, id] of places) this.sql.exec("INSERT OR REPLACE INTO audit_seals (seq, id) VALUES (?, ?)", seq, id);
      if (places.length > 0) this.sql.exec("DELETE FROM audit_seals WHERE seq <= ?", head.seq - SEALS_KEPT);
    });
    return head;
  }

  private meta<T>(key: string): T | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : null;
  }

  private setMeta(key: string, value: unknown): void {
    if (value === null) this.sql.exec("DELETE FROM meta WHERE key = ?", key);
    else this.sql.exec("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2", key, JSON.stringify(value));
  }
}

const placesOf = (chained: SealedEntry[]): [number, string][] => chained.map((e) => [e.seq, e.id]);
