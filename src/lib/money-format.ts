import { minorDigits } from "./money";

/** Minor units as the tenant's currency reads them: 700 USD → "$7.00", 700 JPY → "¥700". */
export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(minor / 10 ** minorDigits(currency));
}
