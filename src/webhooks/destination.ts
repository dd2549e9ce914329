/**
 * Where a webhook may be sent: outside development, only to a public https host. Names that stay inside a network
 * (`localhost`, `*.local`, `*.internal`, a name with no dot) and IP literals of private, loopback, link-local,
 * shared, multicast or reserved ranges are refused, so an endpoint cannot point Tillsafe at an internal service.
 * (A public name that resolves to a private address is not caught here: there is no DNS lookup in a Worker, and a
 * Worker cannot reach private networks on Cloudflare anyway.)
 */
const INTERNAL_SUFFIXES = [".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa"];

function ipv4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return null;
  return parts.map(Number);
}

function privateIpv4([a, b]: number[]): boolean {
  return (
    a === 0 || a === 10 || a === 127 || a >= 224 || // this network, private, loopback, multicast and reserved
    (a === 100 && b >= 64 && b <= 127) || // shared address space (carrier-grade NAT)
    (a === 169 && b === 254) || // link-local (cloud metadata services live here)
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) || // IETF protocol assignments and TEST-NET-1
    (a === 198 && (b === 18 || b === 19)) // benchmarking
  );
}

function privateIpv6(host: string): boolean {
  const address = host.toLowerCase();
  if (address === "::" || address === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return privateIpv4(ipv4(mapped[1]) ?? [0]);
  // The URL parser writes a mapped IPv4 address in hex (::ffff:7f00:1): read it back.
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (hexMapped) {
    const high = parseInt(hexMapped[1], 16);
    return privateIpv4([high >> 8, high & 255]);
  }
  return /^f[cd]/.test(address) || /^fe[89ab]/.test(address) || /^ff/.test(address); // unique local, link-local, multicast
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
  if (host.startsWith("[")) return privateIpv6(host.slice(1, -1)) ? "A webhook URL must point to a public address" : null;
  const v4 = ipv4(host);
  if (v4) return privateIpv4(v4) ? "A webhook URL must point to a public address" : null;
  if (host === "localhost" || !host.includes(".") || INTERNAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
    return "A webhook URL must point to a public host";
  }
  return null;
}
