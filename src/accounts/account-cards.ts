/**
 * A member's cards, decided inside the account's transaction: add, block (lost or stolen: pending operations on it
 * are cancelled), unblock, replace (the new number takes over, the old one can never be used again). Each change is
 * audited in the transaction that made it; a card blocked again, or unblocked while active, changes nothing and logs
 * nothing.
 */
import type { Who } from "../audit/audit-entry";
import { newId } from "../lib/ids";
import { done, type Result } from "../lib/outcome";
import { refuse } from "../lib/refusal";
import type { AccountRef, MemberCard } from "./account-ref";
import type { StoredCard } from "./card-storage";
import { release } from "./account-operations";
import { audited, type AccountTx } from "./account-tx";

/** The card as the API shows it. */
function publicCard(tx: AccountTx, account: AccountRef, number: string): MemberCard {
  const { version: _version, ...card } = tx.ledger.cards.card(number)!;
  return { ...card, member_id: account.member_id };
}

/** The card, added as active if this account has not seen it yet; the account is remembered first (it will be written). */
function cardOfAccount(tx: AccountTx, account: AccountRef, number: string): StoredCard {
  tx.remember(account);
  return tx.ledger.cards.knownCard(number);
}

function voidPendingOperations(tx: AccountTx, card: string, now: number): void {
  for (const record of tx.ledger.pendingOperationsOfCard(card)) release(tx, record, "cancelled", now);
}

/** The answer to a card change, with its audit entry: the card as it is now. */
function cardChanged(tx: AccountTx, account: AccountRef, number: string, by: Who, action: string, now: number): Result<MemberCard> {
  const card = publicCard(tx, account, number);
  return done(card, audited(tx.ledger, by, newId("aud"), action, number, card, now));
}

export function addCard(tx: AccountTx, account: AccountRef, number: string): MemberCard {
  cardOfAccount(tx, account, number);
  return publicCard(tx, account, number);
}

export function blockCard(tx: AccountTx, account: AccountRef, number: string, reason: string, by: Who, now: number): Result<MemberCard> {
  const card = cardOfAccount(tx, account, number);
  if (card.status !== "active") return done(publicCard(tx, account, number));
  tx.ledger.cards.updateCard({ ...card, status: "blocked", block_reason: reason });
  voidPendingOperations(tx, number, now);
  const blocked = { number, member_id: account.member_id, status: "blocked", block_reason: reason, replaced_by: null };
  tx.ledger.outbox.event(newId("evt"), "card.blocked", new Date(now).toISOString(), { card: blocked });
  return cardChanged(tx, account, number, by, "card.blocked", now);
}

export function unblockCard(tx: AccountTx, account: AccountRef, number: string, by: Who, now: number): Result<MemberCard> {
  const card = cardOfAccount(tx, account, number);
  if (card.status === "replaced") return refuse("card_replaced", "A replaced card cannot be unblocked", { replaced_by: card.replaced_by });
  if (card.status !== "blocked") return done(publicCard(tx, account, number));
  tx.ledger.cards.updateCard({ ...card, status: "active", block_reason: null });
  return cardChanged(tx, account, number, by, "card.unblocked", now);
}

/** `newIsFresh`: the route has just registered `newNumber` for this member (false on a repeat). */
export function replaceCard(tx: AccountTx, account: AccountRef, number: string, newNumber: string, newIsFresh: boolean, by: Who, now: number): Result<MemberCard> {
  const card = cardOfAccount(tx, account, number);
  if (card.status === "replaced") {
    if (card.replaced_by === newNumber) return done(publicCard(tx, account, number));
    return refuse("card_replaced", "The card was already replaced", { replaced_by: card.replaced_by });
  }
  if (!newIsFresh) return refuse("card_number_taken", "This card number is already in use in this tenant");
  tx.ledger.cards.updateCard({ ...card, status: "replaced", replaced_by: newNumber });
  voidPendingOperations(tx, number, now);
  tx.ledger.cards.knownCard(newNumber);
  return cardChanged(tx, account, number, by, "card.replaced", now);
}
