import { minorDigits } from "./money";

/** An amount of a balance: points as "1,500 pts", money as the tenant's currency reads it. */
export function formatAmount(method: string, value: number, currency: string): string {
  return method === "points" ? `${value.toLocaleString("en")} pts` : formatMoney(value, currency);
}

/** Minor units as the tenant's currency reads them: 700 USD → "$7.00", 700 JPY → "¥700". */
export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(minor / 10 ** minorDigits(currency));
}
