/** The address a request came from, as Cloudflare (and `wrangler dev`) tell it in CF-Connecting-IP. */
import ipaddr from "ipaddr.js";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether the client is this machine itself: CF-Connecting-IP is a loopback address and the request was made to a
 * loopback host. `wrangler dev` keeps a CF-Connecting-IP the client sent, so the header alone could be forged by
 * anyone who reaches a development server bound to another interface; the host it was reached at cannot.
 */
export function isLoopbackClient(request: Request): boolean {
  if (!LOOPBACK_HOSTS.has(new URL(request.url).hostname)) return false;
  const address = request.headers.get("cf-connecting-ip")?.trim() ?? "";
  return ipaddr.isValid(address) && ipaddr.process(address).range() === "loopback";
}

/**
 * The key a per-address budget counts under: the address itself for IPv4, its /64 network for IPv6 (one subscriber
 * is handed a whole /64, and could otherwise take a fresh address for every request).
 */
export function budgetKeyOf(headers: Headers): string {
  const address = headers.get("cf-connecting-ip")?.trim() ?? "";
  if (!ipaddr.isValid(address)) return "unknown";
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(":")}::/64`;
}
