/** The last 24 hours at a glance: one row of hourly bars per payment method and one for alerts (server-drawn SVG). */
import type { HourBar } from "../../operations/dashboard";
import { formatAmount } from "../../lib/money-format";

const ROWS = [
  { key: "credit", label: "Customer credit", color: "#0b6e4f" },
  { key: "cashback", label: "Cashback", color: "#1a56db" },
  { key: "points", label: "Bonus points", color: "#8a5a00" },
  { key: "alerts", label: "Alerts", color: "#b3261e" },
] as const;

const LEFT = 150;
const WIDTH = 720;
const ROW_H = 56;
const BAR_AREA = 40;

export function LastDayChart(props: { hours: HourBar[]; currency: string; timeZone: string }) {
  const slot = (WIDTH - LEFT) / props.hours.length;
  const hourLabel = (iso: string) => new Intl.DateTimeFormat("en-GB", { timeZone: props.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
  const valueOf = (bar: HourBar, key: (typeof ROWS)[number]["key"]) => (key === "alerts" ? bar.alerts : bar.paid[key]);
  const words = (key: (typeof ROWS)[number]["key"], value: number) =>
    key === "alerts" ? `${value} alert${value === 1 ? "" : "s"}` : formatAmount(key, value, props.currency);
  const totals = ROWS.map((row) => `${row.label}: ${words(row.key, props.hours.reduce((n, bar) => n + valueOf(bar, row.key), 0))}`).join("; ");
  const height = ROWS.length * ROW_H + 24;
  return (
    <figure style="margin:0">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="img" aria-labelledby="chart-title chart-desc" style="max-width:100%;height:auto">
        <title id="chart-title">Paid by members and alerts raised, per hour, over the last 24 hours</title>
        <desc id="chart-desc">In all: {totals}.</desc>
        {ROWS.map((row, r) => {
          const max = Math.max(...props.hours.map((bar) => valueOf(bar, row.key)));
          const top = r * ROW_H + 8;
          return (
            <g>
              <text x="0" y={top + 16} font-size="14" fill="#1d2433">{row.label}</text>
              <text x="0" y={top + 34} font-size="12" fill="#5b6477">{max > 0 ? `up to ${words(row.key, max)} an hour` : "none"}</text>
              <line x1={LEFT} x2={WIDTH} y1={top + BAR_AREA} y2={top + BAR_AREA} stroke="#e3e6ee" />
              {props.hours.map((bar, i) => {
                const value = valueOf(bar, row.key);
                const h = max > 0 ? Math.max(value > 0 ? 2 : 0, Math.round((value / max) * BAR_AREA)) : 0;
                return h > 0 ? <rect x={LEFT + i * slot + 1} y={top + BAR_AREA - h} width={slot - 2} height={h} fill={row.color} /> : null;
              })}
            </g>
          );
        })}
        {props.hours.map((bar, i) =>
          i % 6 === 0 ? (
            <text x={LEFT + i * slot} y={height - 4} font-size="12" fill="#5b6477">{hourLabel(bar.start)}</text>
          ) : null,
        )}
      </svg>
      <figcaption class="muted">Hours in {props.timeZone}. {totals}.</figcaption>
    </figure>
  );
}
