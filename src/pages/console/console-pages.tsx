/** The merchant console's pages (hono/jsx, server-rendered; one small script, /assets/console.js). */
import { formatMoney } from "../../lib/money-format";
import type { Dashboard } from "../../operations/dashboard";
import { LastDayChart } from "./console-chart";
import { Page } from "../layout";

/** The payment methods in the merchant's words. */
export const METHODS = [
  { value: "credit", label: "Customer credit" },
  { value: "cashback", label: "Cashback" },
  { value: "points", label: "Bonus points" },
] as const;

/** The console's sections, on every signed-in page. */
export function Nav(props: { here: "home" | "operations" | "alerts" | "limits" | "report" | "audit" | "stores" | "members" | "settings" | "staff" | "developers" }) {
  const link = (href: string, label: string, key: typeof props.here) =>
    props.here === key ? <a href={href} aria-current="page"><b>{label}</b></a> : <a href={href}>{label}</a>;
  return (
    <nav aria-label="Console" class="row" style="margin:8px 0">
      {link("/console", "Home", "home")}
      {link("/console/operations", "Operations", "operations")}
      {link("/console/alerts", "Alerts", "alerts")}
      {link("/console/limits", "Limits", "limits")}
      {link("/console/report", "End of day", "report")}
      {link("/console/audit", "Audit log", "audit")}
      {link("/console/stores", "Stores", "stores")}
      {link("/console/members", "Members", "members")}
      {link("/console/settings", "Settings", "settings")}
      {link("/console/staff", "Staff", "staff")}
      {link("/console/developers", "API keys and webhooks", "developers")}
    </nav>
  );
}

/** A labelled input with its error line under it (filled by the script from the server's answer). */
export function Field(props: { id: string; label: string; type?: string; value?: string; autocomplete?: string; list?: string; hint?: string; disabled?: boolean; min?: string; max?: string; placeholder?: string }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? "text"}
        value={props.value}
        autocomplete={props.autocomplete}
        list={props.list}
        aria-describedby={`${props.id}-error${props.hint ? ` ${props.id}-hint` : ""}`}
        disabled={props.disabled}
        min={props.min}
        max={props.max}
        placeholder={props.placeholder}
        required
      />
      {props.hint ? <p class="muted" id={`${props.id}-hint`}>{props.hint}</p> : null}
      <p class="field-error" id={`${props.id}-error`} role="alert" hidden></p>
    </div>
  );
}

/** A filter's choice in a GET form: "every …" first, then the choices, the current one selected. */
export function FilterSelect(props: { id: string; label: string; every: string; current: string; choices: { id: string; name: string }[] }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id}>
        <option value="" selected={props.current === ""}>{props.every}</option>
        {props.choices.map((choice) => (
          <option value={choice.id} selected={choice.id === props.current}>{choice.name}</option>
        ))}
      </select>
    </div>
  );
}

/** The submit button of a filter form, at the foot of its row. */
export function ShowButton() {
  return (
    <div style="align-self:flex-end">
      <button class="primary" type="submit">Show</button>
    </div>
  );
}

/** Signed out: create a business, or sign in. */
export function ConsoleWelcome(props: { invite: string | null; timeZones: string[]; currencies: string[] }) {
  return (
    <Page title="Tillsafe — console" heading="Tillsafe" subheading="Loyalty balances, safe at the till" script="/assets/console.js" wide>
      <p>
        <a href="#signin-email">Already have a login? Sign in</a>
      </p>
      <section aria-labelledby="signup-h">
        <h2 id="signup-h">Create your business</h2>
        <form id="signup-form" data-invite={props.invite ?? ""} novalidate>
          <Field id="business_name" label="Business name" autocomplete="organization" />
          <div class="row">
            <div>
              <label for="currency">Currency</label>
              <select id="currency" name="currency" aria-describedby="currency-error">
                {props.currencies.map((code) => (
                  <option value={code} selected={code === "USD"}>{code}</option>
                ))}
              </select>
              <p class="field-error" id="currency-error" role="alert" hidden></p>
            </div>
            <Field id="timezone" label="Time zone" list="time-zones" value="UTC" hint="Days, weeks and months of limits and reports follow it." />
          </div>
          <datalist id="time-zones">
            {props.timeZones.map((zone) => (
              <option value={zone}></option>
            ))}
          </datalist>
          <Field id="email" label="Your email" type="email" autocomplete="email" />
          <Field id="password" label="Choose a password" type="password" autocomplete="new-password" hint="At least 12 characters; a short sentence works well." />
          <div>
            <label style="color:inherit">
              <input type="checkbox" id="test_mode" style="width:auto" aria-describedby="test_mode-hint" /> A test business, to try Tillsafe out
            </label>
            <p class="muted" id="test_mode-hint">
              It sends no real SMS, and members with the test phones (+15005550001 approves, +15005550002 rejects, +15005550003 never answers) answer by themselves.
            </p>
          </div>
          <div class="status bad" id="signup-message" role="status" hidden></div>
          <button class="primary" type="submit" id="signup-submit">Create my business</button>
        </form>
      </section>
      <section aria-labelledby="signin-h">
        <h2 id="signin-h">Sign in</h2>
        <form id="signin-form" novalidate>
          <Field id="signin-email" label="Email" type="email" autocomplete="username" />
          <Field id="signin-password" label="Password" type="password" autocomplete="current-password" />
          <div class="status bad" id="signin-message" role="status" hidden></div>
          <button class="primary" type="submit" id="signin-submit">Sign in</button>
        </form>
      </section>
    </Page>
  );
}

/** A new member of staff's invite: choose a password. */
export function ConsoleInvite(props: { token: string }) {
  return (
    <Page title="Tillsafe — join your team" heading="Tillsafe" subheading="You were invited to a business's console" script="/assets/console.js" wide>
      <section aria-labelledby="invite-h">
        <h2 id="invite-h">Choose your password</h2>
        <form id="invite-form" data-token={props.token} novalidate>
          <Field id="password" label="Password" type="password" autocomplete="new-password" hint="At least 12 characters; a short sentence works well." />
          <div class="status bad" id="invite-message" role="status" hidden></div>
          <button class="primary" type="submit">Join</button>
        </form>
      </section>
    </Page>
  );
}

/** The guided set-up after sign-up: the first store and register, MobiSecure, SMS codes for points. */
export function ConsoleSetup(props: { business: string; done: boolean }) {
  if (props.done) {
    return (
      <Page title="Tillsafe — set up" heading={props.business} subheading="Set up" script="/assets/console.js" wide>
        <Nav here="home" />
        <section aria-labelledby="done-h">
          <h2 id="done-h">Your first store is set up</h2>
          <p>
            Add more stores, cash registers and their keys on the <a href="/console/stores">Stores</a> page; choose which
            payments the member approves in <a href="/console/settings">Settings</a>.
          </p>
        </section>
      </Page>
    );
  }
  return (
    <Page title="Tillsafe — set up" heading={props.business} subheading="Set up in three steps" script="/assets/console.js" wide>
      <section aria-labelledby="step1-h" id="step1">
        <h2 id="step1-h">1. Your first store and cash register</h2>
        <form id="store-form" novalidate>
          <Field id="store_name" label="Store name" hint="As your members know it, for example “King St”." />
          <Field id="register_name" label="Cash register" value="Front counter" />
          <div class="status bad" id="store-message" role="status" hidden></div>
          <button class="primary" type="submit">Create the store and register</button>
        </form>
        <div id="register-key" hidden>
          <p>The register's terminal key. It is shown <b>only now</b>: put it in your till software.</p>
          <p>
            <code id="terminal-key"></code>
          </p>
          <button type="button" id="copy-key">Copy the key</button>
          <p class="muted">For whoever sets up your till software: this command checks that the key works.</p>
          <pre id="curl-line"></pre>
        </div>
      </section>
      <section aria-labelledby="step2-h" id="step2" hidden>
        <h2 id="step2-h">2. MobiSecure: payments the member approves</h2>
        <p>Pick the payment types that need the customer's authorization. The cashier presses “Request for Approval” and the member approves on their phone.</p>
        <form id="approval-form">
          <fieldset>
            <legend>Ask the member to approve payments with</legend>
            {METHODS.map((m) => (
              <label>
                <input type="checkbox" name="approval" value={m.value} style="width:auto" /> {m.label}
              </label>
            ))}
          </fieldset>
          <div class="status bad" id="approval-message" role="status" hidden></div>
          <button class="primary" type="submit">Save and continue</button>
        </form>
      </section>
      <section aria-labelledby="step3-h" id="step3" hidden>
        <h2 id="step3-h">3. SMS codes for points</h2>
        <form id="sms-form">
          <label>
            <input type="checkbox" id="sms_confirm" style="width:auto" /> At <span id="sms-store-name">this store</span>, text the member a code before points pay
          </label>
          <div class="status bad" id="sms-message" role="status" hidden></div>
          <button class="primary" type="submit">Finish</button>
        </form>
      </section>
    </Page>
  );
}

export interface ConsoleHomeData {
  staff: { email: string; role: string };
  business: string;
  currency: string;
  timeZone: string;
  dashboard: Dashboard;
  approval: string[];
  stores: { id: string; name: string; sms: boolean }[];
}

function Today({ data }: { data: ConsoleHomeData }) {
  const d = data.dashboard;
  const money = (value: number) => formatMoney(value, data.currency);
  const heldWords = [d.held.amounts.credit ? `${money(d.held.amounts.credit)} credit` : "", d.held.amounts.cashback ? `${money(d.held.amounts.cashback)} cashback` : "", d.held.amounts.points ? `${d.held.amounts.points} pts` : ""].filter(Boolean).join(", ");
  return (
    <>
      <section aria-labelledby="today-h">
        <h2 id="today-h">Today so far</h2>
        <ul class="list" id="today">
          <li><span>Purchases</span><b>{d.today.purchases}</b></li>
          <li><span>Paid with customer credit</span><b>{money(d.today.deducted.credit)}</b></li>
          <li><span>Paid with cashback</span><b>{money(d.today.deducted.cashback)}</b></li>
          <li><span>Paid with bonus points</span><b>{d.today.deducted.points.toLocaleString("en")} pts</b></li>
          <li><span>Points earned</span><b>{d.today.accrued.toLocaleString("en")} pts</b></li>
          <li><span>Refunds</span><b>{d.today.refunds}</b></li>
        </ul>
        <p class="muted"><a href="/console/report">End of day</a>{d.today.balanced ? " · balanced with the members' accounts" : " · not balanced: see End of day"}</p>
      </section>
      <section aria-labelledby="now-h">
        <h2 id="now-h">Right now</h2>
        <ul class="list" id="right-now">
          <li><span>Sales held, waiting to be finished</span><b>{d.held.count}{heldWords ? ` · ${heldWords}` : ""}</b></li>
          <li><span><a href="/console/alerts">Open alerts</a></span><b class={d.open_alerts > 0 ? "neg" : undefined}>{d.open_alerts}</b></li>
          <li><span>Blocked cards</span><b>{d.blocked_cards}</b></li>
        </ul>
      </section>
      <section aria-labelledby="day-h">
        <h2 id="day-h">The last 24 hours</h2>
        <LastDayChart hours={d.hours} currency={data.currency} timeZone={data.timeZone} />
      </section>
    </>
  );
}

/** Signed in: today's figures, what needs attention, what the business has set up. */
export function ConsoleHome({ data }: { data: ConsoleHomeData }) {
  const label = (method: string) => METHODS.find((m) => m.value === method)?.label ?? method;
  return (
    <Page title={`${data.business} — Tillsafe console`} heading={data.business} subheading={`Signed in as ${data.staff.email} (${data.staff.role})`} script="/assets/console.js" wide>
      <Nav here="home" />
      <Today data={data} />
      <section aria-labelledby="stores-h">
        <h2 id="stores-h">Stores</h2>
        {data.stores.length === 0 ? (
          <p>
            No store yet. <a href="/console/setup">Set up your first store and register</a>.
          </p>
        ) : (
          <ul class="list" id="stores">
            {data.stores.map((store) => (
              <li>
                <span>{store.name}</span>
                <span class="muted">{store.sms ? "SMS code when points pay" : "No SMS code"}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="mobisecure-h">
        <h2 id="mobisecure-h">MobiSecure</h2>
        <p id="approval-summary">
          {data.approval.length === 0 ? "No payment needs the member's approval." : `The member approves payments with ${data.approval.map(label).join(", ").toLowerCase()}.`}
        </p>
      </section>
      <section aria-labelledby="account-h">
        <h2 id="account-h">Your account</h2>
        <button type="button" id="sign-out">Sign out</button>
      </section>
    </Page>
  );
}
