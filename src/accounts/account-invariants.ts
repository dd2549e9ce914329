/**
 * What the invariants speak of, read from an account's storage (not its memory: they hold for what is written, and
 * memory must agree with it): balances, holds and journal sums per method. Tests call it after every step.
 */
import type { AccountStorage } from "./account-storage";
import { emptyAmounts } from "./ledger";
import type { JournalEntry, Method } from "./operation";
import { journalEntries } from "./journal-rows";

export interface Invariants {
  balances: Record<Method, number>;
  held: Record<Method, number>;
  journalSums: Record<Method, number>;
  journal: JournalEntry[];
  outboxSize: number;
}

export function invariantsOf(sql: SqlStorage, ledger: AccountStorage): Invariants {
  const journal = journalEntries(sql);
  const journalSums = emptyAmounts();
  for (const entry of journal) journalSums[entry.method] += entry.amount;
  const stored = ledger.storedTotals();
  const view = ledger.view();
  if (JSON.stringify(stored) !== JSON.stringify({ balances: view.balances, held: view.held, incoming: view.incoming })) {
    throw new Error(`in-memory totals ${JSON.stringify(view)} differ from storage ${JSON.stringify(stored)}`);
  }
  return { balances: stored.balances, held: stored.held, journalSums, journal: journal.map((entry) => ({ ...entry })), outboxSize: ledger.outbox.size() + ledger.waitingCreates().length };
}
