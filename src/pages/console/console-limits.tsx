/** The console's limits: each in a sentence with who is nearest its bound, and a form that says what it will do. */
import type { CounterView } from "../../limits/counters-view";
import type { Limit } from "../../limits/limit";
import { formatMoney } from "../../lib/money-format";
import { Page } from "../layout";
import { Nav } from "./console-pages";

export interface ConsoleLimitsData {
  business: string;
  currency: string;
  /** Minor digits of the currency (2: cents), for amounts typed in whole units. */
  digits: number;
  mayManage: boolean;
  limits: { limit: Limit; sentence: string; counters: CounterView[] | null }[];
  registers: { id: string; name: string }[];
  stores: { id: string; name: string }[];
  places: Map<string, string>;
}

const METRICS: [string, string][] = [
  ["deducted_amount", "Amount paid with"],
  ["accrued_amount", "Amount earned of"],
  ["balance", "Balance held of"],
  ["manual_deducted_amount", "Amount taken by hand of"],
  ["manual_accrued_amount", "Amount given by hand of"],
  ["purchase_count", "Number of purchases"],
  ["accrual_count", "Number of times points are earned"],
  ["manual_operation_count", "Number of changes made by hand"],
];

function CounterLine(props: { counter: CounterView; limit: Limit; currency: string; places: Map<string, string> }) {
  const { counter, limit } = props;
  const amount = (value: number) =>
    limit.metric.endsWith("_count") ? value.toLocaleString("en") : limit.method === "points" ? `${value.toLocaleString("en")} points` : formatMoney(value, props.currency);
  const [subject, per] = counter.subject.split("@");
  const who = `${limit.scope === "card" ? `Card ${subject}` : (props.places.get(subject) ?? subject)}${per ? ` at ${props.places.get(per) ?? per}` : ""}`;
  return (
    <li>
      <span>
        {who}
        <br />
        <small class="muted">
          {amount(counter.value)} of {amount(counter.bound)}
          {counter.pending > 0 ? ` · ${amount(counter.pending)} of it held in sales not finished` : ""}
        </small>
      </span>
      <meter min="0" max={String(counter.bound || 1)} value={String(counter.value)} low={counter.alert_above ?? undefined} high={counter.bound} aria-label={`${who}: ${amount(counter.value)} of ${amount(counter.bound)}`}></meter>
    </li>
  );
}

function PlaceSelect(props: { scope: string; label: string; every: string; places: { id: string; name: string }[] }) {
  return (
    <div data-for-scope={props.scope} hidden>
      <label for={`scope_${props.scope}`}>{props.label}</label>
      <select id={`scope_${props.scope}`}>
        <option value="">{props.every}</option>
        {props.places.map((place) => (
          <option value={place.id}>{place.name}</option>
        ))}
      </select>
    </div>
  );
}

export function ConsoleLimits({ data }: { data: ConsoleLimitsData }) {
  return (
    <Page title={`Limits — ${data.business}`} heading={data.business} subheading="Limits" script="/assets/console.js" wide>
      <Nav here="limits" />
      <section aria-labelledby="limits-h">
        <h2 id="limits-h">Limits in force</h2>
        {data.limits.length === 0 ? <p>No limit yet: any sale the balance allows goes through.</p> : null}
        <ul class="list" id="limits">
          {data.limits.map(({ limit, sentence, counters }) => (
            <li data-limit={limit.id} style="flex-direction:column">
              <span>
                <span class="pill">{limit.hard !== null ? "Hard" : "Soft"}</span> {sentence}
              </span>
              {counters === null ? (
                <small class="muted">Counters not shown here: the page shows those of the five newest limits (the API has every limit's).</small>
              ) : counters.length === 0 ? (
                <small class="muted">Nothing counted in this window yet.</small>
              ) : (
                <ul class="list" aria-label="Nearest the bound">
                  {counters.slice(0, 5).map((counter) => (
                    <CounterLine counter={counter} limit={limit} currency={data.currency} places={data.places} />
                  ))}
                </ul>
              )}
              {data.mayManage ? (
                <span>
                  <button type="button" class="danger" data-delete-limit={limit.id}>
                    Remove this limit
                  </button>
                </span>
              ) : null}
            </li>
          ))}
        </ul>
        <div class="status" id="limits-message" role="status" hidden></div>
      </section>
      {data.mayManage ? (
        <section aria-labelledby="add-limit-h">
          <h2 id="add-limit-h">Add a limit</h2>
          <form id="limit-form" data-digits={String(data.digits)} novalidate>
            <div class="row fields">
              <div>
                <label for="scope">Whose counter</label>
                <select id="scope">
                  <option value="card">Each card</option>
                  <option value="register">Each cash register</option>
                  <option value="store">Each store</option>
                </select>
              </div>
              <div data-for-scope="card">
                <label for="scope_card">Only one card (leave empty for every card)</label>
                <input id="scope_card" autocomplete="off" inputmode="numeric" aria-describedby="scope_card-error" />
                <p class="field-error" id="scope_card-error" role="alert" hidden></p>
              </div>
              <PlaceSelect scope="register" label="Which register" every="Every register" places={data.registers} />
              <PlaceSelect scope="store" label="Which store" every="Every store" places={data.stores} />
            </div>
            <div data-for-scope="card">
              <label for="per">Counted</label>
              <select id="per">
                <option value="">Together, wherever the card is used</option>
                <option value="register">Separately at each register</option>
                <option value="store">Separately at each store</option>
              </select>
            </div>
            <div class="row fields">
              <div>
                <label for="metric">What is counted</label>
                <select id="metric">
                  {METRICS.map(([value, words]) => (
                    <option value={value}>{words}</option>
                  ))}
                </select>
              </div>
              <div id="method-box">
                <label for="method">Balance</label>
                <select id="method">
                  <option value="credit">Customer credit</option>
                  <option value="cashback">Cashback</option>
                  <option value="points">Bonus points</option>
                </select>
              </div>
              <div>
                <label for="period">Over</label>
                <select id="period">
                  <option value="day">A day</option>
                  <option value="week">A week</option>
                  <option value="month">A month</option>
                  <option value="operation">One sale</option>
                  <option value="lifetime">All time</option>
                </select>
              </div>
            </div>
            <fieldset>
              <legend>Kind of limit</legend>
              <label>
                <input type="radio" name="kind" value="hard" checked style="width:auto" /> Hard: a sale that would go above it is refused.
              </label>
              <label>
                <input type="radio" name="kind" value="soft" style="width:auto" /> Soft: above a first amount the sale goes through and the security team is alerted; above a second it is refused.
              </label>
            </fieldset>
            <div class="row fields">
              <div data-for-kind="hard">
                <label for="hard">At most</label>
                <input id="hard" inputmode="decimal" autocomplete="off" aria-describedby="hard-error unit-hint" />
                <p class="field-error" id="hard-error" role="alert" hidden></p>
              </div>
              <div data-for-kind="soft" hidden>
                <label for="soft_lower">Alert the security team above</label>
                <input id="soft_lower" inputmode="decimal" autocomplete="off" aria-describedby="soft_lower-error unit-hint" />
                <p class="field-error" id="soft_lower-error" role="alert" hidden></p>
              </div>
              <div data-for-kind="soft" hidden>
                <label for="soft_upper">Refuse above</label>
                <input id="soft_upper" inputmode="decimal" autocomplete="off" aria-describedby="soft_upper-error unit-hint" />
                <p class="field-error" id="soft_upper-error" role="alert" hidden></p>
              </div>
            </div>
            <p class="muted" id="unit-hint">
              Amounts in {data.currency} (for example 50.00), points as a number, counts as a number.
            </p>
            <p id="limit-preview" aria-live="polite">
              <b>This limit:</b> <span data-sentence>Fill in the amounts to see what it will do.</span>
            </p>
            <div class="status bad" id="limit-message" role="status" hidden></div>
            <button class="primary" type="submit">Add the limit</button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}
