/** The console's members: find a member, and a member's page (balances with what is held, cards, history, links). */
import type { Balances } from "../../accounts/operation";
import type { MemberCard } from "../../accounts/account-ref";
import { formatMoney } from "../../lib/money-format";
import { formatWhen } from "../../lib/time-format";
import { Page } from "../layout";
import { Nav } from "./console-pages";

/** What the console shows of a member (`MemberWithAccount` of operations/find-members.ts fits it). */
export interface MemberSummary {
  id: string;
  name: string;
  phone: string;
  balances: Balances;
  cards: MemberCard[];
}

const KIND_WORDS: Record<string, string> = {
  payment: "Payment",
  accrual: "Points earned",
  refund: "Refund",
  accrual_reversal: "Points taken back",
  top_up: "Top-up",
  manual_accrual: "Added by the store",
  manual_deduction: "Taken by the store",
};

function amount(method: string, value: number, currency: string): string {
  return method === "points" ? `${value} pts` : formatMoney(value, currency);
}

function BalanceLine(props: { label: string; method: string; line: { balance: number; available: number }; currency: string }) {
  const held = props.line.balance - props.line.available;
  return (
    <li>
      <span>{props.label}</span>
      <span>
        {amount(props.method, props.line.balance, props.currency)}
        {held > 0 ? <span class="muted"> · {amount(props.method, held, props.currency)} held</span> : null}
      </span>
    </li>
  );
}

export function ConsoleMembers(props: { business: string; query: string; currency: string; members: MemberSummary[] }) {
  return (
    <Page title={`Members — ${props.business}`} heading={props.business} subheading="Members" script="/assets/console.js" wide>
      <Nav here="members" />
      <section aria-labelledby="find-h">
        <h2 id="find-h">Find a member</h2>
        <form method="get" action="/console/members" role="search">
          <label for="query">Phone, card number or the start of a name</label>
          <input id="query" name="query" value={props.query} autocomplete="off" />
          <button class="primary" type="submit">Find</button>
        </form>
      </section>
      <section aria-labelledby="found-h">
        <h2 id="found-h">{props.query ? `Members matching “${props.query}”` : "Newest members"}</h2>
        {props.members.length === 0 ? <p>No member found.</p> : null}
        <ul class="list" id="members">
          {props.members.map((m) => (
            <li>
              <a href={`/console/members/${m.id}`}>{m.name}</a>
              <span class="muted">
                {m.phone} · {formatMoney(m.balances.credit.balance, props.currency)} credit · {m.balances.points.balance} pts
              </span>
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}

export interface ConsoleMemberData {
  business: string;
  timeZone: string;
  currency: string;
  member: MemberSummary;
  history: { id: string; kind: string; method: string; amount: number; created_at: string }[];
  may: { cards: boolean; replace: boolean; link: boolean; revoke: boolean };
}

export function ConsoleMember({ data }: { data: ConsoleMemberData }) {
  const { member, currency } = data;
  return (
    <Page title={`${member.name} — ${data.business}`} heading={member.name} subheading={member.phone} script="/assets/console.js" wide>
      <Nav here="members" />
      <section aria-labelledby="balances-h">
        <h2 id="balances-h">Balances</h2>
        <ul class="list" id="balances">
          <BalanceLine label="Customer credit" method="credit" line={member.balances.credit} currency={currency} />
          <BalanceLine label="Cashback" method="cashback" line={member.balances.cashback} currency={currency} />
          <BalanceLine label="Bonus points" method="points" line={member.balances.points} currency={currency} />
        </ul>
      </section>
      <section aria-labelledby="cards-h">
        <h2 id="cards-h">Cards</h2>
        <ul class="list" id="cards">
          {member.cards.map((card) => (
            <li data-card={card.number} style="flex-wrap:wrap">
              <span>
                {card.number} <span class="pill" data-status>{card.status}</span>
              </span>
              {card.status === "replaced" ? <span class="muted">Replaced by {card.replaced_by}</span> : null}
              {card.status !== "replaced" && data.may.cards ? (
                <button type="button" data-card-action={card.status === "blocked" ? "unblock" : "block"} data-number={card.number}>
                  {card.status === "blocked" ? "Unblock" : "Block"}
                </button>
              ) : null}
              {card.status !== "replaced" && data.may.replace ? (
                <details style="flex-basis:100%">
                  <summary>Replace the card (lost, stolen or worn out)</summary>
                  <form data-replace-card={card.number} novalidate>
                    <label for={`new-card-${card.number}`}>New card number</label>
                    <input id={`new-card-${card.number}`} name="new_number" autocomplete="off" inputmode="numeric" aria-describedby={`new-card-${card.number}-error replace-hint-${card.number}`} required />
                    <p class="muted" id={`replace-hint-${card.number}`}>The old card stops working for good; the balances stay with the member.</p>
                    <p class="field-error" id={`new-card-${card.number}-error`} role="alert" hidden></p>
                    <div class="status bad" id={`replace-message-${card.number}`} role="status" hidden></div>
                    <button class="primary" type="submit">Replace the card</button>
                  </form>
                </details>
              ) : null}
            </li>
          ))}
        </ul>
        <div class="status" id="cards-message" role="status" hidden></div>
      </section>
      <section aria-labelledby="page-h">
        <h2 id="page-h">The member's page</h2>
        <div class="row">
          {data.may.link ? <button type="button" id="portal-link" data-member={member.id}>Text the member a sign-in link</button> : null}
          {data.may.revoke ? <button type="button" id="revoke-sessions" data-member={member.id}>Sign the member out everywhere</button> : null}
        </div>
        <div class="status" id="page-message" role="status" hidden></div>
      </section>
      <section aria-labelledby="history-h">
        <h2 id="history-h">History</h2>
        <p>
          <a href={`/console/operations?member_id=${member.id}`}>Every operation of {member.name}</a>, with what each held and when
        </p>
        {data.history.length === 0 ? <p>Nothing yet.</p> : null}
        <ul class="list" id="history">
          {data.history.map((entry) => (
            <li>
              <span>
                {KIND_WORDS[entry.kind] ?? entry.kind}
                <br />
                <small class="muted">{formatWhen(entry.created_at, data.timeZone)}</small>
              </span>
              <b class={entry.amount < 0 ? "neg" : "pos"}>
                {entry.amount < 0 ? "−" : "+"}
                {amount(entry.method, Math.abs(entry.amount), currency)}
              </b>
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}
