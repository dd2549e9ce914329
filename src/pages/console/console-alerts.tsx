/** The console's alerts: newest first by status, in words, arriving live; acknowledged, then resolved with a note. */
import type { AlertContext, AlertRow } from "../../db/alerts";
import { formatMoney } from "../../lib/money-format";
import { formatWhen } from "../../lib/time-format";
import { Page } from "../layout";
import { Nav } from "./console-pages";

const METHOD_WORDS: Record<string, string> = { credit: "customer credit", cashback: "cashback", points: "bonus points" };
const PERIOD_WORDS: Record<string, string> = { day: "that day", week: "that week", month: "that month", lifetime: "in all", hour: "in an hour" };

/** An alert in a merchant's words: a title and one sentence. */
export function alertWords(row: AlertRow, context: AlertContext, currency: string): { title: string; sentence: string } {
  if (row.type === "audit.chain_broken") {
    return {
      title: "Audit log changed outside Tillsafe",
      sentence: `Entries were cut from or changed in the audit log's database: ${row.bound} entries had been sealed, and the log holds up only to entry ${row.value}. Nothing more is sealed, and checking the log fails, until an owner resolves this with a note of what was found.`,
    };
  }
  if (row.type === "sms.budget_exhausted" && row.metric === "signin_sms_sent") {
    return { title: "Sign-in SMS budget used up", sentence: `Members were sent ${row.value} sign-in codes and links this hour, the budget; more wait until the next hour. The tills' codes still go.` };
  }
  if (row.type === "sms.budget_exhausted") {
    return { title: "SMS budget used up", sentence: `The tills sent ${row.value} SMS this hour, their budget; codes to pay with points wait until the next hour. Sign-in codes still go.` };
  }
  const method = context.methods.get(row.limitId) ?? null;
  const counted = row.metric === "accrual_count" || row.metric === "manual_operation_count" || row.metric === "purchase_count";
  // A count is a number; an amount over every method adds minor units and points alike, so it stays a number too.
  const amount = (value: number) => (counted || !method ? String(value) : method === "points" ? `${value} pts` : formatMoney(value, currency));
  const who =
    row.scope === "card"
      ? `Card ${row.scopeId}${context.members.get(row.scopeId) ? ` (${context.members.get(row.scopeId)!.name})` : ""}`
      : row.scope === "register"
        ? `Register ${context.places.get(row.scopeId) ?? "(removed)"}`
        : row.scope === "store"
          ? `Store ${context.places.get(row.scopeId) ?? "(removed)"}`
          : "Every card";
  const what = METHOD_WORDS[method ?? ""] ?? "all balances together";
  const times = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  // The figure is the counter with this operation in it: a held sale counts as soon as it is held (and leaves it if
  // cancelled), and a refused one never counted at all. So: "reached", or "would have reached", never "paid".
  const figure: Record<string, string> = {
    deducted_amount: `${amount(row.value)} of ${what} spent`,
    accrued_amount: `${amount(row.value)} of ${what} earned`,
    manual_accrued_amount: `${amount(row.value)} of ${what} given by hand`,
    manual_deducted_amount: `${amount(row.value)} of ${what} taken by hand`,
    accrual_count: times(row.value, "accrual", "accruals"),
    manual_operation_count: times(row.value, "manual change", "manual changes"),
    purchase_count: times(row.value, "purchase", "purchases"),
    balance: `a balance of ${amount(row.value)} of ${what}`,
  };
  // Only spending and purchases come from sales alone; accruals come from top-ups and changes by hand too.
  const act = row.metric === "deducted_amount" || row.metric === "purchase_count" ? "sale" : "operation";
  const period = row.period === "operation" ? `in one ${act}` : (PERIOD_WORDS[row.period] ?? "");
  const reached = `${figure[row.metric] ?? row.value}${row.metric === "balance" ? "" : ` ${period}`}`.trim();
  const withThis = row.period === "operation" || row.metric === "balance" ? "" : ` with this ${act}`;
  return row.type === "limit.blocked"
    ? { title: "Refused by a limit", sentence: `${who} would have reached ${reached}${withThis}; the limit is ${amount(row.bound)}, so it was refused.` }
    : { title: "Soft limit crossed", sentence: `${who} reached ${reached}, counting what is still held; the security team is told above ${amount(row.bound)}.` };
}

const STATUS_WORDS = { open: "open", acknowledged: "being looked at", resolved: "resolved" } as const;

export interface AlertItemProps {
  row: AlertRow;
  context: AlertContext;
  currency: string;
  timeZone: string;
  mayAct: boolean;
}

export function AlertItem({ row, context, currency, timeZone, mayAct }: AlertItemProps) {
  const words = alertWords(row, context, currency);
  const member = row.scope === "card" ? context.members.get(row.scopeId) : undefined;
  const by = (id: string | null) => (id ? (context.staff.get(id) ?? "a key") : "");
  return (
    <li data-alert={row.id} data-status={row.status} style="flex-wrap:wrap">
      <span style="flex:1 1 320px;min-width:0">
        <b>{words.title}</b> <span class="pill">{STATUS_WORDS[row.status]}</span>
        <br />
        {words.sentence}
        <br />
        <small class="muted">
          {formatWhen(row.createdAt, timeZone)}
          {member ? (
            <>
              {" · "}
              <a href={`/console/members/${member.id}`}>{member.name}'s page</a>
            </>
          ) : null}
          {row.operationId ? (
            <>
              {" · "}
              <a href={`/console/operations/${row.operationId}`}>the sale</a>
            </>
          ) : null}
          {row.acknowledgedAt ? ` · looked at by ${by(row.acknowledgedBy)}` : ""}
          {row.resolvedAt ? ` · resolved by ${by(row.resolvedBy)}: “${row.note ?? ""}”` : ""}
        </small>
      </span>
      {mayAct && row.status === "open" && row.type !== "audit.chain_broken" ? (
        <button type="button" data-acknowledge={row.id}>
          I'm looking at it
        </button>
      ) : null}
      {mayAct && row.status !== "resolved" ? (
        <details style="flex-basis:100%">
          <summary>Resolve</summary>
          <form data-resolve={row.id} novalidate>
            <label for={`note-${row.id}`}>What did you find?</label>
            <input id={`note-${row.id}`} name="note" autocomplete="off" aria-describedby={`note-${row.id}-error`} required />
            <p class="field-error" id={`note-${row.id}-error`} role="alert" hidden></p>
            <div class="status bad" id={`resolve-message-${row.id}`} role="status" hidden></div>
            <button class="primary" type="submit">Resolve the alert</button>
          </form>
        </details>
      ) : null}
    </li>
  );
}

export interface ConsoleAlertsData {
  business: string;
  /** todo: open or being looked at. */
  status: "todo" | "resolved" | "all";
  items: AlertItemProps[];
}

export function ConsoleAlerts({ data }: { data: ConsoleAlertsData }) {
  const filter = (status: ConsoleAlertsData["status"], label: string) =>
    data.status === status ? (
      <a href={`/console/alerts?status=${status}`} aria-current="page">
        <b>{label}</b>
      </a>
    ) : (
      <a href={`/console/alerts?status=${status}`}>{label}</a>
    );
  return (
    <Page title={`Alerts — ${data.business}`} heading={data.business} subheading="Security alerts" script="/assets/console.js" wide>
      <Nav here="alerts" />
      <section aria-labelledby="alerts-h">
        <h2 id="alerts-h">Alerts</h2>
        <nav aria-label="Which alerts" class="row" style="margin-bottom:8px">
          {filter("todo", "To do")}
          {filter("resolved", "Resolved")}
          {filter("all", "All")}
        </nav>
        <p class="muted" id="alerts-live" role="status" aria-live="polite">
          New alerts appear here as they happen.
        </p>
        <ul class="list" id="alerts" data-filter={data.status}>
          {data.items.length === 0 ? <li class="muted" data-none>No alert here.</li> : null}
          {data.items.map((item) => (
            <AlertItem {...item} />
          ))}
        </ul>
      </section>
    </Page>
  );
}
