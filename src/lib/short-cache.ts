/**
 * An isolate's short memory of records read from D1: each entry lives `ttlMs` (a change made in another isolate
 * shows within that time), and at most `max` are kept, the oldest going first, so a Worker serving many tenants
 * keeps a bounded amount.
 */
export class ShortCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  /** Counts the deletions: a value loaded before one is not kept (it may be what was just forgotten). */
  private forgets = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max = 1_000,
  ) {}

  /** The value, when it is there and fresh (`undefined` otherwise: a stored `null` is a value). */
  get(key: string, now = Date.now()): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until > now) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, now = Date.now()): V {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: now + this.ttlMs });
    return value;
  }

  /** The value, read with `load` when it is not there or no longer fresh. */
  async through(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const forgets = this.forgets;
    const value = await load();
    return forgets === this.forgets ? this.set(key, value) : value;
  }

  delete(key: string): void {
    this.forgets += 1;
    this.entries.delete(key);
  }

  clear(): void {
    this.forgets += 1;
    this.entries.clear();
  }

  /** Drops every entry `doomed` picks (a revoked key's tokens). */
  deleteWhere(doomed: (value: V) => boolean): void {
    this.forgets += 1;
    for (const [key, entry] of this.entries) if (doomed(entry.value)) this.entries.delete(key);
  }
}
