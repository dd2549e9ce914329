/** Times as the merchant reads them: in the business's time zone, in words where words are shorter. */

/** "1 Dec 2026, 10:15" in the given time zone (UTC when the zone is unknown to the runtime). */
export function formatWhen(iso: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  try {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" }).format(new Date(iso));
  }
}
