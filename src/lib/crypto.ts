import { base64url, fromBase64, hex } from "./encoding";

const encoder = new TextEncoder();

export async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Imported HMAC keys, by their text (a verification signs once per entry). */
const hmacKeys = new Map<string, Promise<CryptoKey>>();

/** HMAC-SHA256 of a text under a key's text, as hex. */
export async function hmacHex(key: string, text: string): Promise<string> {
  let imported = hmacKeys.get(key);
  if (!imported) hmacKeys.set(key, (imported = crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])));
  return hex(new Uint8Array(await crypto.subtle.sign("HMAC", await imported, encoder.encode(text))));
}

/** Equal-length comparison that takes the same time wherever the first difference is. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.byteLength !== right.byteLength) return false;
  return crypto.subtle.timingSafeEqual(left, right);
}

export function randomSecret(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

const aesKeys = new Map<string, Promise<CryptoKey>>();

function aesKey(secret: string): Promise<CryptoKey> {
  let key = aesKeys.get(secret);
  if (!key) {
    key = crypto.subtle
      .digest("SHA-256", encoder.encode(`tillsafe:stored-response:${secret}`))
      .then((raw) => crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]));
    aesKeys.set(secret, key);
  }
  return key;
}

/** AES-GCM with a key derived from the server secret: for stored responses that carry a shown-once secret. */
export async function seal(secret: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await aesKey(secret), encoder.encode(plaintext));
  return `${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

export async function unseal(secret: string, sealed: string): Promise<string> {
  const [iv, data] = sealed.split(".");
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv) }, await aesKey(secret), fromBase64(data));
  return new TextDecoder().decode(plain);
}
