/** A reference cash register (for demos, and a model for POS integrators): the two-phase flow with MobiSecure. */
import { Page } from "./layout";

/** An input's error, shown under it (and read out) when the server or the form refuses what it holds. */
function FieldError(props: { for: string }) {
  return <p class="field-error" id={`${props.for}-error`} role="alert" hidden></p>;
}

export function RegisterPage() {
  return (
    <Page title="Tillsafe — register" heading="Tillsafe register" subheading="Reference cash register" script="/assets/register.js">
      <section>
        <h2>Till</h2>
        <label for="key">Terminal key</label>
        <input id="key" autocomplete="off" placeholder="tk_…" aria-describedby="key-error" />
        <FieldError for="key" />
        <p class="muted" id="till"></p>
      </section>
      <section>
        <h2>Sale</h2>
        <div class="row">
          <div>
            <label for="card">Card</label>
            <input id="card" inputmode="numeric" placeholder="6001…" aria-describedby="card-error" />
            <FieldError for="card" />
          </div>
          <div>
            <label for="cheque">Cheque</label>
            <input id="cheque" value="A-1001" />
          </div>
        </div>
        <div class="row">
          <div>
            <label for="total">Cheque total</label>
            <input id="total" inputmode="decimal" placeholder="47.00" aria-describedby="total-error" />
            <FieldError for="total" />
          </div>
          <div>
            <label for="method">Pay with</label>
            <select id="method">
              <option value="credit">Credit</option>
              <option value="cashback">Cashback</option>
              <option value="points">Points</option>
            </select>
          </div>
          <div>
            <label for="amount">Amount</label>
            <input id="amount" inputmode="decimal" placeholder="47.00" aria-describedby="amount-error" />
            <FieldError for="amount" />
          </div>
        </div>
        <label>
          <input type="checkbox" id="accrue" style="width:auto" checked /> Accrue points
        </label>
        <div class="row" style="margin-top:12px">
          <button class="primary" id="create">Create operation</button>
          <button id="change" disabled>Change amount</button>
        </div>
      </section>
      <section>
        <h2>Operation</h2>
        <p class="muted" id="operation">No operation yet.</p>
        <div class="status" id="message" role="status" hidden></div>
        <div class="row">
          <button id="request" disabled>Request for Approval</button>
          <button id="resend" hidden>Resend request</button>
        </div>
        <div id="sms" hidden style="margin-top:8px">
          <div class="row">
            <button id="send-code">Send SMS code</button>
            <div>
              <label for="code">Code from the member's SMS</label>
              <input id="code" inputmode="numeric" maxlength={6} placeholder="123456" aria-describedby="code-error" />
              <FieldError for="code" />
            </div>
            <button id="verify">Verify code</button>
          </div>
        </div>
        <div class="row" style="margin-top:8px">
          <button class="primary" id="confirm" disabled>Confirm</button>
          <button class="danger" id="cancel" disabled>Cancel</button>
          <button id="new-sale" hidden>New sale</button>
        </div>
      </section>
    </Page>
  );
}
