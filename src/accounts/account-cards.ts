/**
 * A member's cards, inside the account's transaction: add, and the status changes `card-status.ts` decides (block,
 * unblock, replace), persisted with their effects and audited in the transaction that made them; a repeat changes
 * nothing and logs nothing.
 */
import type { Who } from "../audit/audit-entry";
import { newId } from "../lib/ids";
import { done, type Result } from "../lib/outcome";
import { isRefusal } from "../lib/refusal";
import { release } from "./account-operations";
import type { AccountRef, MemberCard } from "./account-ref";
import { audited, type AccountTx } from "./account-tx";
import { blocked, replaced, unblocked, type CardDecision, type StoredCard } from "./card-status";

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

/** Persists a card's change with its effects; the card as it is now, with the change's audit entry. */
function settleCard(tx: AccountTx, account: AccountRef, number: string, decision: CardDecision, by: Who, action: string, now: number): Result<MemberCard> {
  if (isRefusal(decision)) return decision;
  if ("unchanged" in decision) return done(publicCard(tx, account, number));
  tx.ledger.cards.updateCard(decision.card);
  for (const effect of decision.effects) {
    if (effect.kind === "cancel_pending") for (const record of tx.ledger.pendingOperationsOfCard(effect.card)) release(tx, record, "cancelled", now);
    else if (effect.kind === "event") tx.ledger.outbox.event({ ...effect, id: newId("evt") });
    else tx.ledger.cards.knownCard(effect.number);
  }
  const card = publicCard(tx, account, number);
  return done(card, audited(tx.ledger, by, newId("aud"), action, number, card, now));
}

export function addCard(tx: AccountTx, account: AccountRef, number: string): MemberCard {
  cardOfAccount(tx, account, number);
  return publicCard(tx, account, number);
}

export function blockCard(tx: AccountTx, account: AccountRef, number: string, reason: string, by: Who, now: number): Result<MemberCard> {
  const card = cardOfAccount(tx, account, number);
  return settleCard(tx, account, number, blocked(card, reason, account.member_id, now), by, "card.blocked", now);
}

export function unblockCard(tx: AccountTx, account: AccountRef, number: string, by: Who, now: number): Result<MemberCard> {
  const card = cardOfAccount(tx, account, number);
  return settleCard(tx, account, number, unblocked(card), by, "card.unblocked", now);
}

/** `newIsFresh`: the route has just registered `newNumber` for this member (false on a repeat). */
export function replaceCard(tx: AccountTx, account: AccountRef, number: string, newNumber: string, newIsFresh: boolean, by: Who, now: number): Result<MemberCard> {
  const card = cardOfAccount(tx, account, number);
  return settleCard(tx, account, number, replaced(card, newNumber, newIsFresh), by, "card.replaced", now);
}
