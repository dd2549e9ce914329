/**
 * How a delivery is signed, twice with the endpoint's secret:
 * - Standard Webhooks (standardwebhooks.com): `webhook-id` (the event id), `webhook-timestamp` (unix seconds) and
 *   `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, keyed with the bytes the secret's
 *   base64 (after `whsec_`) stands for — what every Standard Webhooks library verifies;
 * - `Tillsafe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the secret's text, as
 *   before.
 * After a rotation each header carries one signature per secret still valid (the new one first); a receiver accepts
 * if any matches.
 */
import { base64, fromBase64, hex } from "../lib/encoding";

const PREFIX = "whsec_";

/** A new endpoint secret as Standard Webhooks writes one: `whsec_` and the base64 of 32 random bytes. */
export function newEndpointSecret(): string {
  return `${PREFIX}${base64(crypto.getRandomValues(new Uint8Array(32)))}`;
}

async function hmac(key: Uint8Array, message: string): Promise<ArrayBuffer> {
  const imported = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", imported, new TextEncoder().encode(message));
}

/** The Standard Webhooks key of a secret (a secret made before they were standard base64 is read as URL-safe). */
const standardKey = (secret: string) => fromBase64(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret);

export async function signatureHeader(secrets: string | string[], body: string, unixSeconds: number): Promise<string> {
  const macs = await Promise.all([secrets].flat().map(async (secret) => `v1=${hex(await hmac(new TextEncoder().encode(secret), `${unixSeconds}.${body}`))}`));
  return `t=${unixSeconds},${macs.join(",")}`;
}

export async function standardSignature(secrets: string | string[], eventId: string, body: string, unixSeconds: number): Promise<string> {
  const macs = await Promise.all([secrets].flat().map(async (secret) => `v1,${base64(new Uint8Array(await hmac(standardKey(secret), `${eventId}.${unixSeconds}.${body}`)))}`));
  return macs.join(" ");
}

/** Every signing header of one delivery attempt. */
export async function signedHeaders(secrets: string[], eventId: string, body: string, unixSeconds: number): Promise<Record<string, string>> {
  const [tillsafe, standard] = await Promise.all([signatureHeader(secrets, body, unixSeconds), standardSignature(secrets, eventId, body, unixSeconds)]);
  return { "tillsafe-signature": tillsafe, "webhook-id": eventId, "webhook-timestamp": String(unixSeconds), "webhook-signature": standard };
}
