/** The console's page for the business's software: secret keys and webhook endpoints (the owner changes them). */
import { formatWhen } from "../../lib/time-format";
import { Page } from "../layout";
import { Field, Nav } from "./console-pages";
import { KeyShownOnce, type LiveKey } from "./console-stores";

/** What each event means to the merchant. */
export const EVENT_WORDS: Record<string, string> = {
  "alert.raised": "A limit raised a security alert",
  "operation.confirmed": "A sale, refund or top-up was confirmed",
};

export interface ConsoleDevelopersData {
  business: string;
  timeZone: string;
  owner: boolean;
  secretKeys: LiveKey[];
  endpoints: {
    id: string;
    url: string;
    events: string[];
    created_at: string;
    /** The last few delivery attempts, newest first. */
    attempts: { event_id: string; attempt: number; status_code: number | null; error: string | null; at: string; next_attempt_at: string | null }[];
  }[];
}

export function ConsoleDevelopers({ data }: { data: ConsoleDevelopersData }) {
  const when = (iso: string) => formatWhen(iso, data.timeZone);
  return (
    <Page title={`API keys and webhooks — ${data.business}`} heading={data.business} subheading="API keys and webhooks" script="/assets/console.js" wide>
      <Nav here="developers" />
      {data.owner ? null : <p class="muted">Only an owner makes and revokes secret keys and webhook endpoints.</p>}
      <section aria-labelledby="secret-h" id="secret-keys">
        <h2 id="secret-h">Secret keys</h2>
        <p class="muted">
          A secret key lets your own back-office software do everything the console does. Keep it on a server, never in a
          till or a web page. Terminal keys for cash registers are on the <a href="/console/stores">Stores</a> page.
        </p>
        <ul class="list" data-keys>
          {data.secretKeys.length === 0 ? <li class="muted" data-no-key>No secret key yet.</li> : null}
          {data.secretKeys.map((key) => (
            <li data-key={key.id}>
              <span>
                Secret key <code>sk_{key.id}</code>, made {when(key.created_at)}
                <br />
                <small class="muted">{key.last_used_at ? `Last used ${when(key.last_used_at)}` : "Not used yet"}</small>
              </span>
              {data.owner ? (
                <button type="button" class="danger" data-revoke-key={key.id} aria-label={`Revoke the secret key made ${when(key.created_at)}`}>
                  Revoke
                </button>
              ) : null}
            </li>
          ))}
        </ul>
        <div class="status" role="status" data-store-message hidden></div>
        {data.owner ? (
          <button type="button" id="new-secret-key">
            Make a secret key
          </button>
        ) : null}
        <KeyShownOnce what="The new secret key." keepIt="store it in your server's secrets." />
      </section>
      <section aria-labelledby="hooks-h">
        <h2 id="hooks-h">Webhook endpoints</h2>
        <p class="muted">Tillsafe tells your server of these events as they happen, signed so that it can check they came from Tillsafe.</p>
        <ul class="list" id="endpoints">
          {data.endpoints.length === 0 ? <li class="muted">No endpoint yet.</li> : null}
          {data.endpoints.map((hook) => (
            <li data-endpoint={hook.id} style="flex-wrap:wrap">
              <span style="flex:1 1 300px;min-width:0">
                <code>{hook.url}</code>
                <br />
                <small class="muted">{hook.events.map((event) => EVENT_WORDS[event] ?? event).join("; ")}</small>
              </span>
              {data.owner ? (
                <span class="row" style="flex:0 0 auto">
                  <button type="button" data-rotate-endpoint={hook.id} aria-label={`New signing secret for ${hook.url}`}>
                    New secret
                  </button>
                  <button type="button" class="danger" data-delete-endpoint={hook.id} aria-label={`Stop sending to ${hook.url}`}>
                    Stop sending
                  </button>
                </span>
              ) : null}
              <div style="flex-basis:100%">
                {hook.attempts.length === 0 ? (
                  <small class="muted">Nothing sent yet.</small>
                ) : (
                  <ul class="list" aria-label={`Last sent to ${hook.url}`}>
                    {hook.attempts.map((attempt) => (
                      <li data-attempt={`${attempt.event_id}:${attempt.attempt}`}>
                        <small>
                          {when(attempt.at)} · try {attempt.attempt} ·{" "}
                          {attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300 ? `delivered (${attempt.status_code})` : (attempt.error ?? "failed")}
                          {attempt.next_attempt_at ? ` · next try ${when(attempt.next_attempt_at)}` : ""}
                        </small>
                        {data.owner ? (
                          <button type="button" data-redeliver={attempt.event_id} data-endpoint-id={hook.id} aria-label={`Send ${attempt.event_id} again to ${hook.url}`}>
                            Send again
                          </button>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </li>
          ))}
        </ul>
        <div class="status" role="status" id="endpoints-message" hidden></div>
        <KeyShownOnce
          id="endpoint-secret"
          what="The endpoint's signing secret."
          keepIt={<>your server uses it to check each request's <code>webhook-signature</code> (any Standard Webhooks library does it) or <code>Tillsafe-Signature</code>.</>}
          copy="Copy the secret"
        />
        {data.owner ? (
          <form id="endpoint-form" novalidate>
            <Field id="endpoint_url" label="Your server's address" type="url" placeholder="https://example.com/tillsafe" autocomplete="off" />
            <fieldset aria-describedby="endpoint_events-error">
              <legend>Send</legend>
              {Object.entries(EVENT_WORDS).map(([event, words]) => (
                <label>
                  <input type="checkbox" name="event" value={event} checked style="width:auto" /> {words}
                </label>
              ))}
            </fieldset>
            <p class="field-error" id="endpoint_events-error" role="alert" hidden></p>
            <div class="status bad" id="endpoint-message" role="status" hidden></div>
            <button class="primary" type="submit">Add the endpoint</button>
          </form>
        ) : null}
      </section>
    </Page>
  );
}
