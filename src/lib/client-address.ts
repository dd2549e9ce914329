/** The address a request came from, as Cloudflare (and `wrangler dev`) tell it in CF-Connecting-IP. */
import ipaddr from "ipaddr.js";

/** Whether the client is this machine itself (127.0.0.0/8, ::1, or 127.x written as IPv4-mapped IPv6). */
export function isLoopbackClient(headers: Headers): boolean {
  const address = headers.get("cf-connecting-ip")?.trim() ?? "";
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.range() === "loopback";
}
