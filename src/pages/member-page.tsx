/** The hosted membership page: balances, MobiSecure approvals arriving live, history, cards. */
import type { ApprovalRequest } from "../accounts/approval";
import type { Balances } from "../accounts/operation";
import type { MemberCard } from "../accounts/account-ref";
import { Page } from "./layout";

export interface MemberPageData {
  tenant: { id: string; name: string; currency: string; minor_digits: number };
  member: { id: string; name: string };
  balances: Balances;
  cards: MemberCard[];
  history: { id: string; kind: string; method: string; amount: number; balance_after: number; created_at: string }[];
  pending: ApprovalRequest[];
  /** Other members with the same phone, whom this page may switch to. */
  others: { id: string; name: string }[];
}

export function MemberPage({ data }: { data: MemberPageData }) {
  // The initial state rides along as JSON; "<" is escaped so no value can close the script element.
  const state = JSON.stringify(data).replace(/</g, "\\u003c");
  return (
    <Page title={`${data.tenant.name} — membership`} heading={data.tenant.name} subheading={`Hello, ${data.member.name}`} script="/assets/member.js">
      <section aria-labelledby="balances-h">
        <h2 id="balances-h">Balances</h2>
        <div class="balances" id="balances"></div>
      </section>
      <section aria-labelledby="mobisecure-h">
        <h2 id="mobisecure-h">MobiSecure — requests to approve</h2>
        <p class="muted" id="connection">Connecting…</p>
        <ul class="list" id="pending"></ul>
      </section>
      <section aria-labelledby="history-h">
        <h2 id="history-h">History</h2>
        <ul class="list" id="history"></ul>
      </section>
      <section aria-labelledby="cards-h">
        <h2 id="cards-h">Cards</h2>
        <ul class="list" id="cards"></ul>
      </section>
      <section aria-labelledby="others-h" id="others-section" hidden>
        <h2 id="others-h">Also on this phone</h2>
        <ul class="list" id="others"></ul>
      </section>
      <section aria-labelledby="session-h">
        <h2 id="session-h">This device</h2>
        <button id="sign-out">Sign out</button>
      </section>
      <div class="modal" id="approval" hidden role="dialog" aria-modal="true" aria-labelledby="approval-h">
        <div class="dialog">
          <h2 id="approval-h">Approve this payment?</h2>
          <div class="muted" id="approval-where"></div>
          <div class="amount" id="approval-amount"></div>
          <div class="muted" id="approval-methods"></div>
          <div class="row" style="margin-top:16px">
            <button class="danger" id="reject">Reject</button>
            <button class="primary" id="approve">Approve</button>
          </div>
        </div>
      </div>
      <script type="application/json" id="state" dangerouslySetInnerHTML={{ __html: state }}></script>
    </Page>
  );
}

/** `linkEnded`: the page answers a sign-in link that has expired or was used already, and says so first. */
export function MemberLoginPage({ tenantId, tenantName, development, linkEnded = false }: { tenantId: string; tenantName: string; development: boolean; linkEnded?: boolean }) {
  return (
    <Page title={`${tenantName} — membership`} heading={tenantName} subheading="Membership" script="/assets/login.js">
      {linkEnded ? (
        <div class="status bad" id="link-ended" role="status">
          This sign-in link has expired or was already used. Sign in with your phone number below, or ask the store for a new link.
        </div>
      ) : null}
      <section>
        <h2>Sign in</h2>
        <p>Enter the phone number you gave the store; we will text you a code.</p>
        <form id="phone-form" data-tenant={tenantId}>
          <label for="phone">Phone</label>
          <input id="phone" type="tel" autocomplete="tel" placeholder="+61412345678" required />
          <div class="row" style="margin-top:12px">
            <button class="primary" id="send-code" type="submit">Text me a code</button>
          </div>
        </form>
        <form id="code-form" hidden>
          <label for="code">Code</label>
          <input id="code" inputmode="numeric" autocomplete="one-time-code" maxlength={6} placeholder="123456" required />
          <div class="row" style="margin-top:12px">
            <button class="primary" id="verify-code" type="submit">Sign in</button>
          </div>
        </form>
        <div class="status" id="login-message" hidden></div>
        <p class="muted">Or open the sign-in link your store sent you.</p>
      </section>
      {development ? (
        <section id="dev-sms" data-tenant={tenantId}>
          <h2>Development SMS outbox</h2>
          <p class="muted">ENVIRONMENT=development: messages land here instead of a phone.</p>
          <ul class="list" id="dev-sms-list"></ul>
        </section>
      ) : null}
    </Page>
  );
}

/** A page that only says something (a link that does not work, a program that does not exist), phone-sized too. */
export function NoticePage({ title, heading, text }: { title: string; heading: string; text: string }) {
  return (
    <Page title={title} heading="Membership" subheading={title}>
      <section>
        <h2>{heading}</h2>
        <p>{text}</p>
      </section>
    </Page>
  );
}
