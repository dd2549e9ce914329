/** The console's operations: the list with its filters, and one operation with everything that happened to it. */
import type { ApprovalRequest } from "../../accounts/approval";
import type { Operation } from "../../accounts/operation";
import { formatAmount, formatMoney } from "../../lib/money-format";
import { formatWhen } from "../../lib/time-format";
import { Page } from "../layout";
import { FilterSelect, Nav, ShowButton } from "./console-pages";

export const TYPE_WORDS: Record<string, string> = {
  purchase: "Purchase",
  refund: "Refund",
  top_up: "Top-up",
  manual_accrual: "Added by hand",
  manual_deduction: "Taken by hand",
};
const STATUS_WORDS: Record<string, string> = { pending: "held, not finished", confirmed: "finished", cancelled: "cancelled", expired: "expired" };
/** The authorization in words; an answer given on a page opened from a back-office link is not called the member's. */
function authWords(status: string, approvals: ApprovalRequest[]): string {
  const answered = approvals.find((request) => request.status === status);
  if (answered?.via === "link") return `${status} on a page opened from a back-office link`;
  return AUTH_WORDS[status] ?? status;
}

const AUTH_WORDS: Record<string, string> = {
  not_required: "not needed",
  required: "needed",
  pending: "asked, waiting",
  approved: "approved by the member",
  rejected: "rejected by the member",
  verified: "code checked",
};

/** What an operation moves, in words: "$40.00 credit, 100 pts". */
export function whatItMoves(op: Operation, currency: string): string {
  const amount = (method: string, value: number) => (method === "points" ? formatAmount(method, value, currency) : `${formatMoney(value, currency)} ${method}`);
  if (op.payments?.length) return op.payments.map((p) => amount(p.method, p.amount)).join(", ");
  if (op.method && op.amount !== undefined) return amount(op.method, op.amount);
  return op.cheque ? formatMoney(op.cheque.total, currency) : "";
}

export interface OperationFilters {
  status: string;
  store_id: string;
  register_id: string;
  member_id: string;
  from: string;
  to: string;
}

export interface ConsoleOperationsData {
  business: string;
  currency: string;
  timeZone: string;
  filters: OperationFilters;
  stores: { id: string; name: string }[];
  registers: { id: string; name: string }[];
  operations: Operation[];
  older: string | null;
}

export function ConsoleOperations({ data }: { data: ConsoleOperationsData }) {
  const f = data.filters;
  return (
    <Page title={`Operations — ${data.business}`} heading={data.business} subheading="Operations" script="/assets/console.js" wide>
      <Nav here="operations" />
      <section aria-labelledby="filter-h">
        <h2 id="filter-h">Which operations</h2>
        <form method="get" action="/console/operations" class="row fields" id="operation-filters">
          <FilterSelect id="status" label="Status" every="Any" current={f.status} choices={Object.entries(STATUS_WORDS).map(([id, words]) => ({ id, name: words.charAt(0).toUpperCase() + words.slice(1) }))} />
          <FilterSelect id="store_id" label="Store" every="Every store" current={f.store_id} choices={data.stores} />
          <FilterSelect id="register_id" label="Register" every="Every register" current={f.register_id} choices={data.registers} />
          <div>
            <label for="from">From (day)</label>
            <input id="from" name="from" type="date" value={f.from} />
          </div>
          <div>
            <label for="to">To (day)</label>
            <input id="to" name="to" type="date" value={f.to} />
          </div>
          {f.member_id ? <input type="hidden" name="member_id" value={f.member_id} /> : null}
          <ShowButton />
        </form>
      </section>
      <section aria-labelledby="ops-h">
        <h2 id="ops-h">Newest first</h2>
        {data.operations.length === 0 ? <p>No operation matches.</p> : null}
        <ul class="list" id="operations">
          {data.operations.map((op) => (
            <li data-operation={op.id}>
              <span>
                <a href={`/console/operations/${op.id}`}>{TYPE_WORDS[op.type] ?? op.type}</a> <span class="pill">{STATUS_WORDS[op.status] ?? op.status}</span>
                <br />
                <small class="muted">
                  {formatWhen(op.created_at, data.timeZone)}
                  {op.card ? ` · card ${op.card}` : ""}
                  {op.cheque ? ` · cheque ${op.cheque.number}` : ""}
                </small>
              </span>
              <b>{whatItMoves(op, data.currency)}</b>
            </li>
          ))}
        </ul>
        {data.older ? (
          <p>
            <a href={`/console/operations?${new URLSearchParams({ ...Object.fromEntries(Object.entries(f).filter(([, v]) => v)), cursor: data.older })}`}>Older operations</a>
          </p>
        ) : null}
      </section>
    </Page>
  );
}

export interface ConsoleOperationData {
  business: string;
  currency: string;
  timeZone: string;
  operation: Operation;
  member: { id: string; name: string } | null;
  places: Map<string, string>;
  approvals: ApprovalRequest[];
  refunds: Operation[];
  journal: { kind: string; method: string; amount: number; created_at: string }[];
  mayCancel: boolean;
}

const JOURNAL_WORDS: Record<string, string> = {
  payment: "Paid",
  accrual: "Points earned",
  refund: "Given back",
  accrual_reversal: "Points taken back",
  top_up: "Bought",
  manual_accrual: "Added by hand",
  manual_deduction: "Taken by hand",
};

export function ConsoleOperation({ data }: { data: ConsoleOperationData }) {
  const op = data.operation;
  const when = (iso: string | null | undefined) => (iso ? formatWhen(iso, data.timeZone) : "");
  const amount = (method: string, value: number) => formatAmount(method, value, data.currency);
  return (
    <Page title={`${TYPE_WORDS[op.type] ?? op.type} — ${data.business}`} heading={TYPE_WORDS[op.type] ?? op.type} subheading={`${STATUS_WORDS[op.status] ?? op.status} · ${when(op.created_at)}`} script="/assets/console.js" wide>
      <Nav here="operations" />
      <section aria-labelledby="op-h">
        <h2 id="op-h">What it is</h2>
        <ul class="list" id="operation">
          <li><span>Member</span><span>{data.member ? <a href={`/console/members/${data.member.id}`}>{data.member.name}</a> : "—"}{op.card ? ` · card ${op.card}` : ""}</span></li>
          <li><span>Where</span><span>{data.places.get(op.register_id) ?? data.places.get(op.store_id) ?? op.store_id}</span></li>
          {op.cheque ? <li><span>Cheque</span><span>{op.cheque.number} · {formatMoney(op.cheque.total, data.currency)}</span></li> : null}
          <li><span>{op.status === "pending" ? "Held" : op.status !== "confirmed" ? "Was held" : op.type === "refund" ? "Gave back" : "Moved"}</span><b>{whatItMoves(op, data.currency) || "—"}</b></li>
          {op.accrual && op.accrual.points !== 0 ? <li><span>{op.accrual.points > 0 ? "Points to earn" : "Points taken back"}</span><span>{Math.abs(op.accrual.points).toLocaleString("en")} pts</span></li> : null}
          {op.reason ? <li><span>Reason</span><span>{op.reason}</span></li> : null}
          <li><span>Member's approval or code</span><span>{op.authorization.method === "none" ? "not needed" : `${op.authorization.method === "approval" ? "MobiSecure approval" : "SMS code"}: ${authWords(op.authorization.status, data.approvals)}`}</span></li>
          {op.status === "pending" ? <li><span>Released if not finished by</span><span>{when(op.expires_at)}</span></li> : null}
          {op.confirmed_at ? <li><span>Finished</span><span>{when(op.confirmed_at)}</span></li> : null}
          {op.cancelled_at ? <li><span>{op.status === "expired" ? "Expired" : "Cancelled"}</span><span>{when(op.cancelled_at)}</span></li> : null}
        </ul>
        {data.mayCancel && op.status === "pending" ? (
          <p>
            <button type="button" class="danger" id="cancel-operation" data-operation={op.id}>Cancel this hold</button>
          </p>
        ) : null}
        <div class="status" id="operation-message" role="status" hidden></div>
      </section>
      {data.approvals.length > 0 ? (
        <section aria-labelledby="approvals-h">
          <h2 id="approvals-h">Asked of the member</h2>
          <ul class="list" id="approvals">
            {data.approvals.map((request) => (
              <li>
                <span>{amount("credit", request.amount)} at {request.register_name || request.store_name}<br /><small class="muted">{when(request.created_at)}</small></span>
                <span>
                  {request.status}
                  {request.answered_at ? ` · ${when(request.answered_at)}` : ""}
                  {request.via === "link" ? <strong data-via="link"> · answered on a page opened from a back-office link, not the member's own sign-in</strong> : null}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {data.refunds.length > 0 ? (
        <section aria-labelledby="refunds-h">
          <h2 id="refunds-h">Refunds of it</h2>
          <ul class="list" id="refunds">
            {data.refunds.map((refund) => (
              <li>
                <span><a href={`/console/operations/${refund.id}`}>{formatMoney(refund.amount ?? 0, data.currency)} of the cheque</a> <span class="pill">{STATUS_WORDS[refund.status] ?? refund.status}</span><br /><small class="muted">{when(refund.created_at)}</small></span>
                <b>{whatItMoves(refund, data.currency)}</b>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="journal-h">
        <h2 id="journal-h">In the member's balances</h2>
        {data.journal.length === 0 ? <p class="muted">{op.status === "pending" ? "Nothing yet: balances move when it is finished." : op.status === "confirmed" ? "On its way to the records." : `Nothing: it was ${op.status}.`}</p> : null}
        <ul class="list" id="journal">
          {data.journal.map((entry) => (
            <li>
              <span>{JOURNAL_WORDS[entry.kind] ?? entry.kind}<br /><small class="muted">{when(entry.created_at)}</small></span>
              <b class={entry.amount < 0 ? "neg" : "pos"}>{entry.amount < 0 ? "−" : "+"}{amount(entry.method, Math.abs(entry.amount))}</b>
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}
