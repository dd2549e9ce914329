/** The day's reconciliation: JSON, or CSV with `Accept: text/csv` (or `format=csv`, for a download link). */
import { findStore } from "../db/stores";
import { loadTenant } from "../db/tenants";
import { notFound } from "../lib/errors";
import { dailyReportOf } from "../operations/daily-report";
import { reportCsv } from "../reports/report-csv";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";
import { DailyReportQuery } from "./requests";

export function reportRoutes(app: App): void {
  endpoint(
    app,
    { method: "get", path: "/v1/reports/daily", errors: ["shard_unavailable", "store_not_found"], response: R.DailyReport, summary: "The day's reconciliation per store and method, against the journal (CSV with Accept: text/csv)", tag: "Limits and alerts", auth: ["secret"], query: DailyReportQuery },
    async ({ c, env, principal, query }) => {
      if (query.store_id && !(await findStore(env.DB, principal.tenantId, query.store_id))) throw notFound("store_not_found", "Store");
      const tenant = await loadTenant(env.DB, principal.tenantId);
      const report = await dailyReportOf(env, tenant, query.date, query.store_id ?? null);
      const csv = query.format === "csv" || (query.format === undefined && /\btext\/csv\b/.test(c.req.header("accept") ?? ""));
      if (!csv) return { status: 200, body: report };
      const filename = `tillsafe-${query.date}${query.store_id ? `-${query.store_id}` : ""}.csv`;
      return { status: 200, json: reportCsv(report), headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"` } };
    },
  );
}
