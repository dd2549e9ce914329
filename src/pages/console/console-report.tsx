/** The console's end of day: a day's figures per store and method, whether they balance with the journal, the CSV. */
import { formatAmount } from "../../lib/money-format";
import type { DailyReport } from "../../operations/daily-report";
import type { Figures } from "../../reports/daily-report";
import { Page } from "../layout";
import { FilterSelect, Nav, ShowButton } from "./console-pages";

const METHOD_WORDS = { credit: "Customer credit", cashback: "Cashback", points: "Bonus points" } as const;
const ROWS: [keyof Figures, string][] = [
  ["deducted", "Paid by members"],
  ["accrued", "Earned"],
  ["refunded", "Given back by refunds"],
  ["accrual_reversed", "Points taken back by refunds"],
  ["topped_up", "Bought (top-ups)"],
  ["manual_accrued", "Added by hand"],
  ["manual_deducted", "Taken by hand"],
];

export interface ConsoleReportData {
  business: string;
  report: DailyReport;
  storeId: string;
  stores: { id: string; name: string }[];
  /** The owner may download a day's archive (GET /v1/exports). */
  owner: boolean;
  /** The day's archive can be made: a day has passed since the day ended. */
  archiveOpen: boolean;
}

/** "1 refund", "2 refunds". */
const counted = (n: number, one: string, many: string) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

export function ConsoleReport({ data }: { data: ConsoleReportData }) {
  const { report } = data;
  const amount = (method: string, value: number) => formatAmount(method, value, report.currency);
  const csv = `/v1/reports/daily?date=${report.date}${data.storeId ? `&store_id=${encodeURIComponent(data.storeId)}` : ""}&format=csv`;
  return (
    <Page title={`End of day — ${data.business}`} heading={data.business} subheading="End of day" script="/assets/console.js" wide>
      <Nav here="report" />
      <section aria-labelledby="pick-h">
        <h2 id="pick-h">Which day</h2>
        <form method="get" action="/console/report" class="row fields">
          <div>
            <label for="date">Day ({report.time_zone})</label>
            <input id="date" name="date" type="date" value={report.date} required />
          </div>
          <FilterSelect id="store_id" label="Store" every="Every store" current={data.storeId} choices={data.stores} />
          <ShowButton />
        </form>
      </section>
      <section aria-labelledby="summary-h">
        <h2 id="summary-h">{report.date}</h2>
        <p id="report-status" class={report.balanced ? "status" : "status bad"}>
          {report.balanced ? "Balanced: every figure equals what the members' accounts posted." : "Not balanced: some figures differ from what the members' accounts posted (marked below)."}
          {report.incomplete_reason ? ` ${report.incomplete_reason}` : ""}
        </p>
        <p>
          <a href={csv} download id="download-csv">
            Download the day as CSV
          </a>
        </p>
        {data.owner ? (
          <p>
            {data.archiveOpen ? (
              <a href={`/v1/exports?date=${report.date}`} download id="download-archive">
                Download the day's archive
              </a>
            ) : (
              <span id="archive-later">The day's archive can be downloaded a day after the day ends.</span>
            )}{" "}
            <span class="muted">Every sale and every balance change of the day, one per line (gzipped JSON lines), for your records or your accountant's tools.</span>
          </p>
        ) : null}
      </section>
      {report.stores.map((store) => (
        <section aria-labelledby={`report-${store.store_id}-h`} data-report-store={store.store_id}>
          <h2 id={`report-${store.store_id}-h`}>{store.store_name}</h2>
          <p class="muted">
            {counted(store.counts.purchases, "purchase", "purchases")} · {counted(store.counts.refunds, "refund", "refunds")} · {counted(store.counts.top_ups, "top-up", "top-ups")} ·{" "}
            {counted(store.counts.manual, "change by hand", "changes by hand")}
          </p>
          <div style="overflow-x:auto" tabindex={0} role="region" aria-label={`Figures of ${store.store_name}`}>
            <table>
              <caption class="visually-hidden">Figures of {store.store_name} on {report.date}</caption>
              <thead>
                <tr>
                  <th scope="col"></th>
                  {store.methods.map((m) => (
                    <th scope="col">{METHOD_WORDS[m.method]}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {ROWS.map(([figure, words]) => (
                  <tr>
                    <th scope="row">{words}</th>
                    {store.methods.map((m) => {
                      const differs = m.operations[figure] !== m.journal[figure];
                      return (
                        <td class={differs ? "neg" : undefined} data-figure={`${m.method}.${figure}`}>
                          {amount(m.method, m.operations[figure])}
                          {differs ? <small> (accounts: {amount(m.method, m.journal[figure])})</small> : null}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </Page>
  );
}
