/**
 * What a decision inside an AccountDO's transaction works with: the ledger (its storage), the account's identity
 * (remembered with the first write), and the operations the caller may see. The object makes one and hands it to the
 * functions that decide each call (`account-cards.ts`, `code-steps.ts`, …); only the object opens transactions.
 */
import type { AuditEntry } from "../audit/audit-chain";
import { auditEntry, type Who } from "../audit/audit-entry";
import { refuse } from "../lib/refusal";
import type { AccountRef, OperationScope } from "./account-ref";
import type { AccountStorage } from "./account-storage";
import type { OperationRecord } from "./operation";

export interface AccountTx {
  readonly ledger: AccountStorage;
  /** Records which account this object is, the first time something is written to it (the outbox needs it). */
  remember(account: AccountRef): void;
  /** An operation as the caller may see it: a register sees only its own operations. */
  scoped(id: string, scope: OperationScope): OperationRecord | null;
}

export const operationNotFound = () => refuse("operation_not_found", "Operation not found");

/** An audit entry of a change this transaction made, in its outbox (the route writes it at once as well). */
export function audited(ledger: AccountStorage, by: Who, id: string, action: string, subjectId: string, after: unknown, now: number): AuditEntry {
  const entry = auditEntry(by, id, action, subjectId, { after }, new Date(now).toISOString());
  ledger.outbox.enqueue("audit", id, entry);
  return entry;
}
