/**
 * Where a tenant's rows live: its placement is a list of epochs, oldest first, each a start time and a set of
 * shards. A row lives in the epoch its own creation time falls in, and in it on the shard its member's id hashes to
 * (a row of no member — a store's or the tenant's — on the epoch's first shard). Nothing ever moves: a tenant that
 * outgrows its shards gets a new epoch, and from its start new rows go to the new set. Pure: no Cloudflare, no D1.
 *
 * So a member's rows of one epoch are on one shard (their history reads from one place per epoch); a large tenant's
 * writes spread over its epoch's shards, one history writer each; an operation's row, made and later changed, is
 * always found where its creation time says.
 */
import { refuse, type Refusal } from "../lib/refusal";

export interface Epoch {
  /** From when (ISO time) new rows go to this epoch's shards; "" for the first. */
  starts_at: string;
  shards: string[];
}

export type Placement = Epoch[];

/** The shard every tenant of before the shards was on, and where the move puts their rows. */
export const FIRST_SHARD = "shard-0";
const BEFORE_SHARDS: Placement = [{ starts_at: "", shards: [FIRST_SHARD] }];

/** A stored placement (the tenant's column), `[]` for a tenant of before the shards. */
export const placementOf = (stored: string): Placement => {
  const epochs = JSON.parse(stored) as Placement;
  return epochs.length === 0 ? BEFORE_SHARDS : epochs;
};

/** FNV-1a over the id: the same member lands on the same shard of an epoch in every isolate. */
function bucketOf(memberId: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < memberId.length; i++) hash = Math.imul(hash ^ memberId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % buckets;
}

export function epochAt(placement: Placement, at: string): Epoch {
  let found = placement[0];
  for (const epoch of placement) if (epoch.starts_at <= at) found = epoch;
  return found;
}

/** The shard of a row made at `at` by a member (or by no member: null). */
export function shardOfRow(placement: Placement, memberId: string | null, at: string): string {
  const { shards } = epochAt(placement, at);
  return shards[memberId === null ? 0 : bucketOf(memberId, shards.length)];
}

/** Every shard the tenant has rows on, in the order its epochs name them: what a list reads and merges. */
export const shardsOfTenant = (placement: Placement): string[] => [...new Set(placement.flatMap((epoch) => epoch.shards))];

/** A shard as the directory sees it when placing: its size, its tenants, and whether it still takes new ones. */
export interface ShardFill {
  id: string;
  bytes: number;
  tenants: number;
  open: boolean;
}

/** Past this share of its capacity a shard takes no new tenant (and the platform is told). */
export const CLOSE_AT = 0.8;

export const isFilling = (bytes: number, capacity: number) => bytes >= CLOSE_AT * capacity;

/** The shard a new tenant goes to: the least filled open one (by bytes; on a tie, fewest tenants, then its name). */
export function chooseShard(shards: ShardFill[], capacity: number): { shard: string } | Refusal {
  const open = shards.filter((s) => s.open && !isFilling(s.bytes, capacity));
  if (open.length === 0) return refuse("no_open_shard", "Every shard is closed to new tenants; add a shard (docs/capacity.md)");
  open.sort((a, b) => a.bytes - b.bytes || a.tenants - b.tenants || a.id.localeCompare(b.id, "en", { numeric: true }));
  return { shard: open[0].id };
}

/** Epochs start at least this far ahead: every isolate has read the new placement (cached 5 s) before it applies. */
export const EPOCH_LEAD_MS = 60_000;

/** A tenant's placement with a new epoch from `startsAt` on the given shards, or why not. */
export function withEpoch(placement: Placement, shards: string[], startsAt: string, now: number, known: string[]): { placement: Placement } | Refusal {
  if (shards.length === 0 || new Set(shards).size !== shards.length || shards.some((s) => !known.includes(s))) {
    return refuse("invalid_request", "An epoch names one or more distinct shards of this platform");
  }
  const last = placement[placement.length - 1];
  if (Date.parse(startsAt) < now + EPOCH_LEAD_MS || startsAt <= last.starts_at) {
    return refuse("invalid_request", "A new epoch starts at least a minute from now, after the last one");
  }
  return { placement: [...placement, { starts_at: startsAt, shards }] };
}
