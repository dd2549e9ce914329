/** The console's audit log: who changed what, newest first, what changed, and a check that nothing was altered since. */
import { formatWhen } from "../../lib/time-format";
import { Page } from "../layout";
import { Nav } from "./console-pages";
import { ACTION_WORDS } from "./audit-words";

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
