/** What every console page needs: the staff session of the request, the business's name, place names, the choices of the sign-up form. */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { STAFF_COOKIE, verifyStaffSession, type StaffSession } from "../auth/staff-sessions";
import type { storesWithRegisters } from "../db/stores";
import { isKnownCurrency } from "../lib/money";
import type { AppEnv } from "./endpoint";
import { PAGE_HEADERS } from "./html";

/** The currencies offered first; any ISO 4217 code the server knows is accepted by the API. */
export const CURRENCIES = ["USD", "EUR", "GBP", "AUD", "NZD", "CAD", "CHF", "JPY", "SGD", "HKD", "SEK", "NOK", "DKK", "PLN", "CZK", "INR", "ZAR", "BRL", "MXN", "AED"].filter(isKnownCurrency);

export function timeZones(): string[] {
  const all = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return ["UTC", ...all.filter((zone) => zone !== "UTC")];
}

export async function sessionOf(c: Context<AppEnv>): Promise<StaffSession | null> {
  const token = getCookie(c, STAFF_COOKIE);
  return token ? verifyStaffSession(c.env.DB, token) : null;
}

export const liveKey = (key: { id: string; createdAt: string; lastUsedAt: string | null }) => ({ id: key.id, created_at: key.createdAt, last_used_at: key.lastUsedAt });

/** The business as the console names it: a test business says so on every page. */
export const businessName = (tenant: { name: string; livemode: boolean }) => (tenant.livemode ? tenant.name : `${tenant.name} (test mode)`);

/** Store and register names by id, a register named with its store ("King St — Front counter"). */
export const placeNames = (places: Awaited<ReturnType<typeof storesWithRegisters>>) =>
  new Map(places.flatMap(({ store, registers }) => [[store.id, store.name] as const, ...registers.map((r) => [r.id, `${store.name} — ${r.name}`] as const)]));

export const toConsole = (c: Context<AppEnv>) => c.body(null, 302, { ...PAGE_HEADERS, location: "/console" });
