/**
 * Where a webhook may be sent: outside development, only to a public https host. Names that stay inside a network
 * (`localhost`, `*.local`, `*.internal`, a name with no dot) and IP literals of private, loopback, link-local,
 * shared, multicast or reserved ranges are refused, so an endpoint cannot point Tillsafe at an internal service.
 * (A public name that resolves to a private address is not caught here: there is no DNS lookup in a Worker, and a
 * Worker cannot reach private networks on Cloudflare anyway.) Deliveries never follow a redirect either.
 */
import ipaddr from "ipaddr.js";
const INTERNAL_SUFFIXES = [".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa"];

/**
 * Whether an IP literal is a public unicast address (ipaddr.js knows the special ranges). IPv6 forms that carry an
 * IPv4 address inside — mapped (::ffff:0:0/96), translated (::ffff:0:0:0/96), NAT64 (64:ff9b::/96), 6to4 (2002::/16),
 * Teredo — are special ranges too and refused; so is the old IPv4-compatible form (::a.b.c.d), which ipaddr.js counts
 * as unicast, by its 96 leading zero bits.
 */
function publicAddress(literal: string): boolean {
  if (!ipaddr.isValid(literal)) return false;
  const address = ipaddr.parse(literal);
  if (address.range() !== "unicast") return false;
  if (address.kind() === "ipv6") return !(address as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0);
  return true;
}

/** Why a webhook URL is refused outside development, or null when it may be used. */
export function refusedDestination(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "The webhook URL is not a valid URL";
  }
  if (parsed.protocol !== "https:") return "A webhook URL must use https";
  if (parsed.username || parsed.password) return "A webhook URL may not carry credentials";
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  // The URL parser has already written every IPv4 spelling (2130706433, 0x7f.1) as four decimal parts.
  const literal = host.startsWith("[") ? host.slice(1, -1) : ipaddr.IPv4.isValidFourPartDecimal(host) ? host : null;
  if (literal !== null) return publicAddress(literal) ? null : "A webhook URL must point to a public address";
  if (host === "localhost" || !host.includes(".") || INTERNAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
    return "A webhook URL must point to a public host";
  }
  return null;
}
