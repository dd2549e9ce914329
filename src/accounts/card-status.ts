/**
 * A card's status, as pure functions: block (lost or stolen: its pending operations are cancelled), unblock, replace
 * (the old number can never be used again; the new one takes over). Each takes the card as it is and returns it as it
 * becomes with the effects to write, `unchanged` for a repeat (a card blocked again, unblocked while active, replaced
 * again by the same number), or a refusal.
 */
import { refuse, type Refusal } from "../lib/refusal";
import type { Card } from "./operation";

export type StoredCard = Card & { version: number };

export type CardEffect =
  /** The event for the tenant's log and webhooks (`card` as the API shows it). */
  | { kind: "event"; type: "card.blocked"; created_at: string; data: { card: Card & { member_id: string } } }
  /** The card's pending operations are cancelled (their holds released). */
  | { kind: "cancel_pending"; card: string }
  /** The account takes on a new card number. */
  | { kind: "add_card"; number: string };

export type CardDecision = { card: StoredCard; effects: CardEffect[] } | { unchanged: true } | Refusal;

export function blocked(card: StoredCard, reason: string, memberId: string, now: number): CardDecision {
  if (card.status !== "active") return { unchanged: true };
  const after: StoredCard = { ...card, status: "blocked", block_reason: reason };
  const shown = { number: card.number, member_id: memberId, status: "blocked" as const, block_reason: reason, replaced_by: null };
  return { card: after, effects: [{ kind: "cancel_pending", card: card.number }, { kind: "event", type: "card.blocked", created_at: new Date(now).toISOString(), data: { card: shown } }] };
}

export function unblocked(card: StoredCard): CardDecision {
  if (card.status === "replaced") return refuse("card_replaced", "A replaced card cannot be unblocked", { replaced_by: card.replaced_by });
  if (card.status !== "blocked") return { unchanged: true };
  return { card: { ...card, status: "active", block_reason: null }, effects: [] };
}

/** `newIsFresh`: the route has just registered `newNumber` for this member (false on a repeat). */
export function replaced(card: StoredCard, newNumber: string, newIsFresh: boolean): CardDecision {
  if (card.status === "replaced") {
    return card.replaced_by === newNumber ? { unchanged: true } : refuse("card_replaced", "The card was already replaced", { replaced_by: card.replaced_by });
  }
  if (!newIsFresh) return refuse("card_number_taken", "This card number is already in use in this tenant");
  return { card: { ...card, status: "replaced", replaced_by: newNumber }, effects: [{ kind: "cancel_pending", card: card.number }, { kind: "add_card", number: newNumber }] };
}
