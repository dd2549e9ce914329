/**
 * An account's cards in its SQLite storage (`cards`): the copy that decides whether a card may be used, with its
 * version for D1's projection; the cards read lately are kept in memory (the object is their only writer).
 */
import type { OutboxStorage } from "../history/outbox-storage";
import type { StoredCard } from "./card-status";
import type { Card, CardStatus } from "./operation";

export class CardStorage {
  private readonly cached = new Map<string, StoredCard>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: OutboxStorage,
  ) {}

  /** After a rollback: read again. */
  forgetCached(): void {
    this.cached.clear();
  }

  card(number: string): StoredCard | null {
    const cached = this.cached.get(number);
    if (cached) return { ...cached };
    const row =
      this.sql
        .exec<StoredCard>("SELECT number, status, block_reason, replaced_by, version FROM cards WHERE number = ?", number)
        .toArray()[0] ?? null;
    if (row) this.cached.set(number, { ...row });
    return row;
  }

  /** A card the route resolved to this member in D1; one never seen here was never blocked. */
  knownCard(number: string): StoredCard {
    const known = this.card(number);
    if (known) return known;
    this.sql.exec("INSERT OR IGNORE INTO cards (number, status, version) VALUES (?, 'active', 0)", number);
    return this.card(number)!;
  }

  /** Every card of the account, in the order it got them. */
  all(): Card[] {
    return this.sql.exec<Card>("SELECT number, status, block_reason, replaced_by FROM cards ORDER BY rowid").toArray();
  }

  updateCard(card: StoredCard): void {
    this.cached.delete(card.number);
    this.sql.exec(
      "UPDATE cards SET status = ?, block_reason = ?, replaced_by = ?, version = ? WHERE number = ?",
      card.status satisfies CardStatus,
      card.block_reason,
      card.replaced_by,
      card.version + 1,
      card.number,
    );
    this.outbox.enqueue("card", card.number);
  }
}
