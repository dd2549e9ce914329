/** Sealing and verifying a tenant's audit chain in D1 (the sealing runs only inside the tenant's TenantDO). */
import { chainedAfter, chainHead, countAuditEntries, unsealedEntries, writeSeals } from "../db/audit";
import { checkRun, sealAfter, type ChainHead } from "./audit-chain";

const SEAL_BATCH = 100;
const VERIFY_PAGE = 500;

/** The chain's last entry as its sealer wrote it: kept by the TenantDO, so entries cut from the end are seen. */
export type SealedHead = { seq: number; hash: string; id: string };

/** Chains every entry not chained yet, oldest first, a batch at a time; answers how many, and the last it chained. */
export async function sealAuditEntries(d1: D1Database, tenantId: string): Promise<{ sealed: number; last: SealedHead | null }> {
  let sealed = 0;
  let last: SealedHead | null = null;
  for (;;) {
    const [head, waiting] = await Promise.all([chainHead(d1, tenantId), unsealedEntries(d1, tenantId, SEAL_BATCH)]);
    if (waiting.length === 0) return { sealed, last };
    const chained = await sealAfter(head, waiting);
    await writeSeals(d1, chained);
    const end = chained[chained.length - 1];
    last = { seq: end.seq, hash: end.hash, id: end.id };
    sealed += waiting.length;
  }
}

/**
 * Walks the whole chain: how many entries it holds, and the first that does not hold (edited, removed, forged). The
 * sealer's own record of the last entry it chained (`sealedUpTo`) must be in it: otherwise entries were cut from the
 * end, and the last one sealed is named as broken.
 */
export async function verifyAuditChain(d1: D1Database, tenantId: string, sealedUpTo: SealedHead | null): Promise<{ entries: number; valid: boolean; first_broken?: string }> {
  let head: ChainHead = null;
  for (;;) {
    const run = await chainedAfter(d1, tenantId, head?.seq ?? 0, VERIFY_PAGE);
    if (run.length === 0) {
      const reached = head?.seq ?? 0;
      if (sealedUpTo && (reached < sealedUpTo.seq || (reached === sealedUpTo.seq && head?.hash !== sealedUpTo.hash))) {
        return { entries: reached, valid: false, first_broken: sealedUpTo.id };
      }
      return { entries: reached, valid: true };
    }
    const checked = await checkRun(head, run);
    if (checked.firstBroken) return { entries: await countAuditEntries(d1, tenantId), valid: false, first_broken: checked.firstBroken };
    head = checked.head;
  }
}
