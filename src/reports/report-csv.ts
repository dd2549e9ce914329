/** The day's reconciliation as CSV: one line per store and method, operations' figures beside the journal's. */
import { FIGURES } from "./daily-report";
import type { DailyReport } from "../operations/daily-report";

/** A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe, then quoting. */
const cell = (value: string | number | boolean) => {
  const text = typeof value === "string" && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function reportCsv(report: DailyReport): string {
  const header = ["date", "store_id", "store_name", "method", "unit", ...FIGURES, ...FIGURES.map((f) => `journal_${f}`), "purchases", "refunds", "top_ups", "manual", "balanced", "complete"];
  const lines = [header.join(",")];
  for (const store of report.stores) {
    for (const m of store.methods) {
      const unit = m.method === "points" ? "points" : `minor units of ${report.currency}`;
      const c = store.counts;
      lines.push(
        [report.date, store.store_id, store.store_name, m.method, unit, ...FIGURES.map((f) => m.operations[f]), ...FIGURES.map((f) => m.journal[f]), c.purchases, c.refunds, c.top_ups, c.manual, m.balanced, report.complete]
          .map(cell)
          .join(","),
      );
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}
