/** Sealing and walking a tenant's audit chain in D1 (the sealing runs only inside the tenant's TenantDO). */
import { chainedAfter, countAuditEntries, unsealedEntries, writeSeals } from "../db/audit";
import { checkRun, sealAfter, type ChainHead, type ChainRules, type SealedEntry } from "./audit-chain";

const SEAL_BATCH = 100;
const VERIFY_PAGE = 500;

/** The chain's last entry as its sealer wrote it: kept by the TenantDO, so entries cut or forged are seen. */
export type SealedHead = NonNullable<ChainHead> & { id: string };

/**
 * Chains entries not chained yet, oldest first, a batch at a time after `head`. `writing` is told each batch's new
 * head before D1 is written and `written` after, so the sealer's record and D1 can never silently part.
 */
export async function sealWaiting(
  d1: D1Database,
  tenantId: string,
  head: ChainHead,
  rules: ChainRules,
  steps: { writing(last: SealedHead, chained: SealedEntry[]): void; written(last: SealedHead, chained: SealedEntry[]): void },
): Promise<number> {
  let sealed = 0;
  for (;;) {
    const waiting = await unsealedEntries(d1, tenantId, SEAL_BATCH);
    if (waiting.length === 0) return sealed;
    const chained = await sealAfter(head, waiting, rules);
    const end = chained[chained.length - 1];
    const last = { seq: end.seq, hash: end.hash, id: end.id };
    steps.writing(last, chained);
    await writeSeals(d1, chained);
    steps.written(last, chained);
    head = last;
    sealed += waiting.length;
  }
}

/** What a walk of the whole chain found: the last entry that held, the first that did not, and how many entries there are. */
export interface ChainWalk {
  reached: SealedHead | null;
  broken: SealedEntry | null;
  entries: number;
}

/**
 * Walks the chain from its start (or from `from`, an entry known to hold). With `accept`, an entry that does not hold
 * is recorded and the walk goes on from it, so the whole chain as it stands becomes the accepted one.
 */
export async function walkChain(
  d1: D1Database,
  tenantId: string,
  rules: ChainRules,
  accept?: (entry: SealedEntry, after: number) => Promise<void>,
  from: SealedHead | null = null,
): Promise<ChainWalk> {
  let head: ChainHead = from;
  let reached: SealedHead | null = from;
  for (;;) {
    const run = await chainedAfter(d1, tenantId, head?.seq ?? 0, VERIFY_PAGE);
    if (run.length === 0) return { reached, broken: null, entries: reached === null ? 0 : await countAuditEntries(d1, tenantId) };
    const checked = await checkRun(head, run, rules);
    const holding = checked.firstBroken ? run.slice(0, run.indexOf(checked.firstBroken)) : run;
    if (holding.length > 0) reached = idOf(holding[holding.length - 1]);
    if (checked.firstBroken && !accept) return { reached, broken: checked.firstBroken, entries: await countAuditEntries(d1, tenantId) };
    if (checked.firstBroken && accept) {
      await accept(checked.firstBroken, reached?.seq ?? 0);
      reached = idOf(checked.firstBroken);
      head = { seq: reached.seq, hash: reached.hash };
      continue;
    }
    head = checked.head;
  }
}

const idOf = (entry: SealedEntry): SealedHead => ({ seq: entry.seq, hash: entry.hash, id: entry.id });
