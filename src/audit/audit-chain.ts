/**
 * The audit log's hash chain, as pure rules: each tenant's entries in one sequence, each hash SHA-256 over the entry
 * and the hash before it, so an entry edited, removed or slipped in afterwards breaks every hash from there on.
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

/** The chain's last entry so far (null: the chain is empty). */
export type ChainHead = { seq: number; hash: string } | null;

/** The hash of an entry at its place: every stored field, in a fixed order, with the hash before it. */
export function entryHash(entry: AuditEntry, seq: number, prevHash: string | null): Promise<string> {
  const e = entry;
  return sha256Hex(JSON.stringify([seq, prevHash, e.id, e.tenant_id, e.actor, e.actor_type, e.action, e.subject_id, e.before, e.after, e.created_at]));
}

/** Entries not yet chained, given their places after the head, in the order given. */
export async function sealAfter(head: ChainHead, entries: AuditEntry[]): Promise<SealedEntry[]> {
  const sealed: SealedEntry[] = [];
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? null;
  for (const entry of entries) {
    seq += 1;
    const hash = await entryHash(entry, seq, prev);
    sealed.push({ ...entry, seq, prev_hash: prev, hash });
    prev = hash;
  }
  return sealed;
}

/**
 * Checks a run of sealed entries (in seq order) that follows `head`: the first entry whose place, link or hash is
 * not what the chain says, or null. The head it answers lets the next run be checked after this one.
 */
export async function checkRun(head: ChainHead, run: SealedEntry[]): Promise<{ head: ChainHead; firstBroken: string | null }> {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? null;
  for (const entry of run) {
    seq += 1;
    if (entry.seq !== seq || entry.prev_hash !== prev || entry.hash !== (await entryHash(entry, seq, prev))) return { head, firstBroken: entry.id };
    prev = entry.hash;
  }
  return { head: seq === 0 ? null : { seq, hash: prev! }, firstBroken: null };
}
