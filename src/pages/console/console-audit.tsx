/** The console's audit log: who changed what, newest first, what changed, and a check that nothing was altered since. */
import { formatWhen } from "../../lib/time-format";
import { Page } from "../layout";
import { Nav } from "./console-pages";

/** What each action is, in a merchant's words. */
const ACTION_WORDS: Record<string, string> = {
  "tenant.signed_up": "Created the business",
  "settings.changed": "Changed the settings",
  "store.created": "Added a store",
  "store.changed": "Changed a store",
  "register.created": "Added a cash register",
  "key.issued": "Made a key",
  "key.revoked": "Revoked a key",
  "webhook_endpoint.created": "Added a webhook endpoint",
  "webhook_endpoint.deleted": "Stopped a webhook endpoint",
  "member.created": "Added a member",
  "card.issued": "Gave a member a card",
  "card.blocked": "Blocked a card",
  "card.unblocked": "Unblocked a card",
  "card.replaced": "Replaced a card",
  "limit.created": "Added a limit",
  "limit.deleted": "Removed a limit",
  "staff.invited": "Invited someone",
  "staff.invite_accepted": "Joined the team",
  "staff.role_changed": "Changed someone's role",
  "staff.removed": "Removed someone",
  "staff.password_changed": "Changed their password",
  "member.sessions_revoked": "Signed a member out everywhere",
  "alert.acknowledged": "Looked into an alert",
  "alert.resolved": "Resolved an alert",
  "balance.manual_accrual": "Added to a balance by hand",
  "balance.manual_deduction": "Took from a balance by hand",
};

export interface AuditLine {
  id: string;
  created_at: string;
  who: string;
  action: string;
  subject_id: string;
  changes: string[];
}

export interface ConsoleAuditData {
  business: string;
  timeZone: string;
  lines: AuditLine[];
  older: string | null;
}

/** What an entry changed: the fields whose value differs before and after (or what was made, or removed). */
export function changesOf(before: unknown, after: unknown): string[] {
  const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  if (before == null && after == null) return [];
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((key) => !["id", "created_at"].includes(key));
  if (before == null) return keys.filter((key) => a[key] !== null && a[key] !== undefined).map((key) => `${key}: ${show(a[key])}`);
  if (after == null) return keys.map((key) => `${key} was ${show(b[key])}`);
  return keys.filter((key) => JSON.stringify(b[key]) !== JSON.stringify(a[key])).map((key) => `${key}: ${show(b[key])} → ${show(a[key])}`);
}

export function ConsoleAudit({ data }: { data: ConsoleAuditData }) {
  return (
    <Page title={`Audit log — ${data.business}`} heading={data.business} subheading="Audit log" script="/assets/console.js" wide>
      <Nav here="audit" />
      <section aria-labelledby="verify-h">
        <h2 id="verify-h">Nothing changed since it was written?</h2>
        <p class="muted">Each entry is sealed with the one before it; a change to any of them breaks the seal from there on.</p>
        <button type="button" id="verify-audit">Check the whole log</button>
        <div class="status" id="verify-message" role="status" hidden></div>
      </section>
      <section aria-labelledby="log-h">
        <h2 id="log-h">Who changed what</h2>
        {data.lines.length === 0 ? <p>Nothing yet.</p> : null}
        <ul class="list" id="audit">
          {data.lines.map((line) => (
            <li data-entry={line.id} data-action={line.action} style="flex-direction:column">
              <span>
                <b>{ACTION_WORDS[line.action] ?? line.action}</b> <span class="muted">{line.subject_id}</span>
              </span>
              <small class="muted">
                {formatWhen(line.created_at, data.timeZone)} · {line.who}
              </small>
              {line.changes.length > 0 ? <small style="overflow-wrap:anywhere">{line.changes.join(" · ")}</small> : null}
            </li>
          ))}
        </ul>
        {data.older ? (
          <p>
            <a href={`/console/audit?cursor=${encodeURIComponent(data.older)}`}>Older entries</a>
          </p>
        ) : null}
      </section>
    </Page>
  );
}
