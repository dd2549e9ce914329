/** Sealing and verifying a tenant's audit chain in D1 (the sealing runs only inside the tenant's TenantDO). */
import { chainedAfter, chainHead, countAuditEntries, unsealedEntries, writeSeals } from "../db/audit";
import { checkRun, sealAfter, type ChainHead } from "./audit-chain";

const SEAL_BATCH = 100;
const VERIFY_PAGE = 500;

/** Chains every entry not chained yet, oldest first, a batch at a time; answers how many it chained. */
export async function sealAuditEntries(d1: D1Database, tenantId: string): Promise<number> {
  let sealed = 0;
  for (;;) {
    const [head, waiting] = await Promise.all([chainHead(d1, tenantId), unsealedEntries(d1, tenantId, SEAL_BATCH)]);
    if (waiting.length === 0) return sealed;
    await writeSeals(d1, await sealAfter(head, waiting));
    sealed += waiting.length;
  }
}

/** Walks the whole chain: how many entries it holds, and the first that does not hold (edited, removed, forged). */
export async function verifyAuditChain(d1: D1Database, tenantId: string): Promise<{ entries: number; valid: boolean; first_broken?: string }> {
  let head: ChainHead = null;
  for (;;) {
    const run = await chainedAfter(d1, tenantId, head?.seq ?? 0, VERIFY_PAGE);
    if (run.length === 0) return { entries: head?.seq ?? 0, valid: true };
    const checked = await checkRun(head, run);
    if (checked.firstBroken) return { entries: await countAuditEntries(d1, tenantId), valid: false, first_broken: checked.firstBroken };
    head = checked.head;
  }
}
