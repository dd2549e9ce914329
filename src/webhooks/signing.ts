import { hex } from "../lib/encoding";

/**
 * `Tillsafe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the endpoint secret>`; after a
 * rotation one `v1=` per secret still valid (the new one first), and a receiver accepts if any matches.
 */
export async function signatureHeader(secrets: string | string[], body: string, unixSeconds: number): Promise<string> {
  const macs = await Promise.all(
    [secrets].flat().map(async (secret) => {
      const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return `v1=${hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${unixSeconds}.${body}`)))}`;
    }),
  );
  return `t=${unixSeconds},${macs.join(",")}`;
}
