/**
 * The audit log's hash chain, as pure rules: each tenant's entries in one sequence, each hash over the entry and the
 * hash before it, so an entry edited, removed or slipped in afterwards breaks the chain there. Entries sealed since
 * the chain was keyed carry an HMAC under the server secret, so someone holding only the database cannot recompute
 * them; older ones keep the plain SHA-256 they were sealed with.
 */
import { sha256Hex } from "../lib/crypto";

/** An entry as stored (before and after are the stored JSON text). */
export interface AuditEntry {
  id: string;
  tenant_id: string;
  actor: string;
  actor_type: string;
  action: string;
  subject_id: string;
  before: string | null;
  after: string | null;
  created_at: string;
}

export interface SealedEntry extends AuditEntry {
  seq: number;
  prev_hash: string | null;
  hash: string;
}

/**
 * The chain's last entry so far (null: the chain is empty); `next`, when a break was accepted, the place after it (a
 * head of place 0, with no hash, is an empty chain whose next place is not 1).
 */
export type ChainHead = { seq: number; hash: string; next?: number } | null;

/**
 * What an owner accepted of a broken chain: an entry trusted as it is stored now (`digest`: keyed over its stored
 * fields, so a later edit of it is still seen), or a place that may follow a gap (`after`).
 */
export type Accepted = { digest?: string; after?: number };

/** How a tenant's chain is checked: where keying starts, the key, and what its owner accepted. */
export interface ChainRules {
  /** The first place hashed with the key; before it, plain SHA-256. */
  keyedFrom: number;
  /** HMAC-SHA256 (hex) of a text under the server secret. */
  keyed(text: string): Promise<string>;
  accepted: ReadonlyMap<number, Accepted>;
}

const fieldsOf = (e: AuditEntry) => [e.id, e.tenant_id, e.actor, e.actor_type, e.action, e.subject_id, e.before, e.after, e.created_at];

/** The hash of an entry at its place: every stored field, in a fixed order, with the hash before it. */
export function entryHash(entry: AuditEntry, seq: number, prevHash: string | null, rules: ChainRules): Promise<string> {
  const text = JSON.stringify([seq, prevHash, ...fieldsOf(entry)]);
  return seq >= rules.keyedFrom ? rules.keyed(text) : sha256Hex(text);
}

/** The digest an owner's acceptance keeps of an entry as stored: every field, its place and both hashes, keyed. */
export const acceptedDigest = (entry: SealedEntry, rules: ChainRules) =>
  rules.keyed(JSON.stringify(["accepted", entry.seq, entry.prev_hash, entry.hash, ...fieldsOf(entry)]));

/** Entries not yet chained, given their places after the head, in the order given. */
export async function sealAfter(head: ChainHead, entries: AuditEntry[], rules: ChainRules): Promise<SealedEntry[]> {
  const sealed: SealedEntry[] = [];
  let seq = (head?.next ?? (head?.seq ?? 0) + 1) - 1;
  let prev = head?.hash || null;
  for (const entry of entries) {
    seq += 1;
    const hash = await entryHash(entry, seq, prev, rules);
    sealed.push({ ...entry, seq, prev_hash: prev, hash });
    prev = hash;
  }
  return sealed;
}

/**
 * Checks a run of sealed entries (in seq order) that follows `head`: the first entry whose place, link or hash is
 * not what the chain says (unless its owner accepted it as it is), or null. The head it answers is the last entry
 * that held, so the next run can be checked after this one.
 */
export async function checkRun(head: ChainHead, run: SealedEntry[], rules: ChainRules): Promise<{ head: ChainHead; firstBroken: SealedEntry | null }> {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? null;
  for (const entry of run) {
    const accepted = rules.accepted.get(entry.seq);
    const trusted = accepted?.digest !== undefined && accepted.digest === (await acceptedDigest(entry, rules));
    const inPlace = entry.seq === seq + 1 || (accepted?.after !== undefined && accepted.after === seq);
    if (!trusted && (!inPlace || entry.prev_hash !== prev || entry.hash !== (await entryHash(entry, entry.seq, prev, rules)))) {
      return { head: seq === 0 ? null : { seq, hash: prev! }, firstBroken: entry };
    }
    seq = entry.seq;
    prev = entry.hash;
  }
  return { head: seq === 0 ? null : { seq, hash: prev! }, firstBroken: null };
}

/** Whether two heads name the same place and hash (the `next` of an accepted break aside; place 0 is the empty chain). */
export function sameHead(a: ChainHead, b: ChainHead): boolean {
  const [x, y] = [a && a.seq > 0 ? a : null, b && b.seq > 0 ? b : null];
  return x === null ? y === null : y !== null && x.seq === y.seq && x.hash === y.hash;
}
