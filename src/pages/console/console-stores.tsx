/** The console's stores: each store's SMS flag, its cash registers and their terminal keys (issue, revoke, last used). */
import type { Child } from "hono/jsx";
import { formatWhen } from "../../lib/time-format";
import { Page } from "../layout";
import { Field, Nav } from "./console-pages";

export interface LiveKey {
  id: string;
  created_at: string;
  last_used_at: string | null;
}

export interface ConsoleStoresData {
  business: string;
  timeZone: string;
  /** manage: add stores and registers, change the SMS flag; keys: issue and revoke terminal keys. */
  may: { manage: boolean; keys: boolean };
  stores: { id: string; name: string; sms: boolean; registers: { id: string; name: string; keys: LiveKey[] }[] }[];
}

function KeyLine(props: { key_: LiveKey; register: string; timeZone: string; mayRevoke: boolean }) {
  const { key_: key } = props;
  return (
    <li data-key={key.id}>
      <span>
        Terminal key <code>tk_{key.id}</code>, made {formatWhen(key.created_at, props.timeZone)}
        <br />
        <small class="muted">{key.last_used_at ? `Last used ${formatWhen(key.last_used_at, props.timeZone)}` : "Not used yet"}</small>
      </span>
      {props.mayRevoke ? (
        <button type="button" class="danger" data-revoke-key={key.id} aria-label={`Revoke the key of ${props.register} made ${formatWhen(key.created_at, props.timeZone)}`}>
          Revoke
        </button>
      ) : null}
    </li>
  );
}

/** Shows a key or secret once, with a copy button (filled by the script). */
export function KeyShownOnce(props: { what: string; keepIt?: Child; id?: string; copy?: string }) {
  return (
    <div class="key-once" id={props.id} hidden>
      <p>
        {props.what} It is shown <b>only now</b>: {props.keepIt ?? "put it in your till software."}
      </p>
      <p>
        <code data-key-token></code>
      </p>
      <button type="button" data-copy-key>{props.copy ?? "Copy the key"}</button>
    </div>
  );
}

export function ConsoleStores({ data }: { data: ConsoleStoresData }) {
  return (
    <Page title={`Stores — ${data.business}`} heading={data.business} subheading="Stores and cash registers" script="/assets/console.js" wide>
      <Nav here="stores" />
      {data.stores.length === 0 ? (
        <section aria-labelledby="none-h">
          <h2 id="none-h">No store yet</h2>
          <p>Add your first store below, or use the <a href="/console/setup">guided set-up</a>.</p>
        </section>
      ) : null}
      {data.stores.map((store) => (
        <section aria-labelledby={`store-${store.id}-h`} data-store={store.id}>
          <h2 id={`store-${store.id}-h`}>{store.name}</h2>
          <label>
            <input type="checkbox" data-sms-store={store.id} checked={store.sms} disabled={!data.may.manage} style="width:auto" /> Text the member a code
            before points pay at this store
          </label>
          <h3 class="muted">Cash registers</h3>
          {store.registers.length === 0 ? <p class="muted" data-no-register>No register yet.</p> : null}
          {store.registers.map((register) => (
            <div data-register={register.id}>
              <p>
                <b>{register.name}</b>
              </p>
              <ul class="list" data-keys>
                {register.keys.length === 0 ? <li class="muted" data-no-key>No working key: this register cannot reach Tillsafe.</li> : null}
                {register.keys.map((key) => (
                  <KeyLine key_={key} register={register.name} timeZone={data.timeZone} mayRevoke={data.may.keys} />
                ))}
              </ul>
              {data.may.keys ? (
                <button type="button" data-new-key={register.id} aria-label={`New key for ${register.name}`}>
                  New key
                </button>
              ) : null}
              <KeyShownOnce what={`${register.name}'s new terminal key. The old one keeps working until you revoke it.`} />
            </div>
          ))}
          <div class="status" role="status" data-store-message hidden></div>
          {data.may.manage ? (
            <form data-add-register={store.id} data-revocable={data.may.keys ? "yes" : "no"} novalidate>
              <Field id={`register_name-${store.id}`} label="Add a cash register" placeholder="For example “Front counter”" />
              <div class="status bad" id={`register-message-${store.id}`} role="status" hidden></div>
              <button class="primary" type="submit">Add the register</button>
            </form>
          ) : null}
          <KeyShownOnce what="The new register's terminal key." />
        </section>
      ))}
      {data.may.manage ? (
        <section aria-labelledby="add-store-h">
          <h2 id="add-store-h">Add a store</h2>
          <form id="add-store-form" novalidate>
            <Field id="new_store_name" label="Store name" hint="As your members know it, for example “King St”." />
            <label>
              <input type="checkbox" id="new_store_sms" style="width:auto" /> Text the member a code before points pay
            </label>
            <div class="status bad" id="add-store-message" role="status" hidden></div>
            <button class="primary" type="submit">Add the store</button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}
