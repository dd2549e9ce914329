/** The console's settings and staff pages (hono/jsx, server-rendered). */
import { formatMoney } from "../../lib/money-format";
import { Page } from "../layout";
import { Field, METHODS, Nav } from "./console-pages";

export interface ConsoleSettingsData {
  business: string;
  role: string;
  currency: string;
  settings: { approval_required_for: string[]; points_per_currency_unit: number; point_value: number; hold_ttl_seconds: number; history_retention_days: number; sms_per_hour: number; sms_signin_per_hour: number; refund_when_points_spent: string; allowed_origins: string[] };
}

/** The business's settings; owners and managers change them, security staff read them. */
export function ConsoleSettings({ data }: { data: ConsoleSettingsData }) {
  const readOnly = data.role === "security";
  const s = data.settings;
  return (
    <Page title={`Settings — ${data.business}`} heading={data.business} subheading="Settings" script="/assets/console.js" wide>
      <Nav here="settings" />
      <section aria-labelledby="settings-h">
        <h2 id="settings-h">How the till works</h2>
        {readOnly ? <p class="muted">Security staff see the settings; an owner or a manager changes them.</p> : null}
        <form id="settings-form" novalidate>
          <fieldset disabled={readOnly}>
            <legend>MobiSecure: ask the member to approve payments with</legend>
            {METHODS.map((m) => (
              <label>
                <input type="checkbox" name="approval" value={m.value} checked={s.approval_required_for.includes(m.value)} style="width:auto" /> {m.label}
              </label>
            ))}
          </fieldset>
          <Field id="points_per_currency_unit" label={`Points earned per whole ${data.currency}`} type="number" min="0" max="10000" value={String(s.points_per_currency_unit)} disabled={readOnly} />
          <Field id="point_value" label={`What one point is worth, in the smallest coin of ${data.currency}`} hint={`1 means a point pays ${formatMoney(1, data.currency)}.`} type="number" min="1" value={String(s.point_value)} disabled={readOnly} />
          <Field id="hold_minutes" label="Minutes a sale may wait at the till to be finished" type="number" min="1" max="1440" value={String(Math.max(1, Math.round(s.hold_ttl_seconds / 60)))} disabled={readOnly} hint="A sale not finished in time is cancelled, and what it held goes back to the member." />
          <Field id="history_retention_days" label="Days of history to keep at hand" type="number" min="30" max="400" value={String(s.history_retention_days)} disabled={readOnly} hint="The operations list and the day's figures go back this far; each older day stays downloadable from End of day. A member's own history is always kept whole." />
          <Field id="sms_per_hour" label="Most SMS the tills may send in an hour" type="number" min="0" value={String(s.sms_per_hour)} disabled={readOnly} hint="Codes members are sent to pay with points." />
          <Field id="sms_signin_per_hour" label="Most sign-in codes members may be sent in an hour" type="number" min="0" value={String(s.sms_signin_per_hour)} disabled={readOnly} hint="Sign-in codes and the sign-in links staff send, kept apart so strangers asking for codes can never stop the tills' SMS." />
          <fieldset disabled={readOnly}>
            <legend>A refund, when the member already spent the points the sale earned</legend>
            <label>
              <input type="radio" name="refund_when_points_spent" value="reduce" checked={s.refund_when_points_spent === "reduce"} style="width:auto" /> Give back less money: the spent points' value is kept
            </label>
            <label>
              <input type="radio" name="refund_when_points_spent" value="refuse" checked={s.refund_when_points_spent === "refuse"} style="width:auto" /> Refuse the refund
            </label>
          </fieldset>
          <div>
            <label for="allowed_origins">Web tills: sites whose pages may use a till key</label>
            <textarea id="allowed_origins" name="allowed_origins" rows={3} aria-describedby="allowed_origins-error allowed_origins-hint" disabled={readOnly} placeholder="https://pos.example.com">
              {s.allowed_origins.join("\n")}
            </textarea>
            <p class="muted" id="allowed_origins-hint">
              One per line, such as https://pos.example.com. Leave it empty if your tills are not web pages: then no web page can use a till key.
            </p>
            <p class="field-error" id="allowed_origins-error" role="alert" hidden></p>
          </div>
          <div class="status" id="settings-message" role="status" hidden></div>
          {readOnly ? null : <button class="primary" type="submit">Save settings</button>}
        </form>
      </section>
    </Page>
  );
}

export interface ConsoleStaffData {
  business: string;
  me: { id: string; role: string };
  staff: { id: string; email: string; role: string }[];
}

const ROLE_WORDS: Record<string, string> = {
  owner: "Owner — everything",
  manager: "Manager — stores, members, limits, settings",
  security: "Security — reads everything, blocks cards",
};

/** The business's staff; the owner invites, changes roles and removes. */
export function ConsoleStaff({ data }: { data: ConsoleStaffData }) {
  const owner = data.me.role === "owner";
  return (
    <Page title={`Staff — ${data.business}`} heading={data.business} subheading="Staff" script="/assets/console.js" wide>
      <Nav here="staff" />
      <section aria-labelledby="staff-h">
        <h2 id="staff-h">Who has a login</h2>
        <ul class="list" id="staff-list">
          {data.staff.map((member) => (
            <li data-staff={member.id} style="flex-wrap:wrap">
              <span style="overflow-wrap:anywhere;min-width:0">{member.email}{member.id === data.me.id ? " (you)" : ""}</span>
              {owner && member.id !== data.me.id ? (
                <span class="row" style="flex:0 0 auto">
                  <label class="visually-hidden" for={`role-${member.id}`}>Role of {member.email}</label>
                  <select id={`role-${member.id}`} data-role-of={member.id}>
                    {Object.keys(ROLE_WORDS).map((role) => (
                      <option value={role} selected={role === member.role}>{role}</option>
                    ))}
                  </select>
                  <button type="button" class="danger" data-remove={member.id} aria-label={`Remove ${member.email}`}>Remove</button>
                </span>
              ) : (
                <span class="pill">{member.role}</span>
              )}
            </li>
          ))}
        </ul>
        <div class="status" id="staff-message" role="status" hidden></div>
      </section>
      {owner ? (
        <section aria-labelledby="invite-staff-h">
          <h2 id="invite-staff-h">Invite someone</h2>
          <form id="invite-staff-form" novalidate>
            <Field id="invite_email" label="Their email" type="email" autocomplete="off" />
            <label for="invite_role">Role</label>
            <select id="invite_role">
              {Object.entries(ROLE_WORDS).map(([role, words]) => (
                <option value={role} selected={role === "manager"}>{words}</option>
              ))}
            </select>
            <div class="status bad" id="invite-staff-message" role="status" hidden></div>
            <button class="primary" type="submit">Create the invite link</button>
          </form>
          <div id="invite-link" hidden>
            <p>Send them this link (it works once, for 7 days):</p>
            <pre id="invite-url"></pre>
            <button type="button" id="copy-invite">Copy the link</button>
          </div>
        </section>
      ) : null}
    </Page>
  );
}
