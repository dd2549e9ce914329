import type { Method } from "../accounts/operation";
import { refuse, type Refusal } from "./refusal";

const digitsOf = new Map<string, number>();

/** Minor digits of a currency (2 for USD, 0 for JPY, 3 for KWD), from the runtime's ICU data (asked once a currency). */
export function minorDigits(currency: string): number {
  let digits = digitsOf.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsOf.set(currency, digits);
  }
  return digits;
}

export function isKnownCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  if (supported) return supported("currency").includes(code);
  try {
    new Intl.NumberFormat("en", { style: "currency", currency: code });
    return true;
  } catch {
    return false;
  }
}

export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** No balance, available amount, accrual, points value or counter ever passes this (API.md: exact integers only). */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

/** `balance_out_of_range`: the operation would take `method`'s figure past 2^53−1; nothing changes. */
export const outOfRange = (method: Method | null, what: string): Refusal =>
  refuse("balance_out_of_range", `The operation would take the ${what} past ${MAX_AMOUNT}`, { method, limit: MAX_AMOUNT });
