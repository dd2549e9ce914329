/**
 * Staff passwords: PBKDF2-SHA256 through WebCrypto with a per-user random salt and 100,000 iterations (the most
 * Workers allow), the result keyed with the server secret (HMAC-SHA256), so a stolen database alone cannot be
 * attacked offline. Stored as `pbkdf2-sha256$<iterations>$<salt>$<hash>`; compared in constant time.
 */
import { base64url, fromBase64 } from "../lib/encoding";
import { constantTimeEqual } from "../lib/crypto";

export const PBKDF2_ITERATIONS = 100_000;
const encoder = new TextEncoder();

/** A few of the passwords people pick most (a refusal names them all alike: "too common"). */
const COMMON = new Set([
  "password1234", "123456789012", "qwertyuiopas", "passwordpassword", "letmeinletmein", "iloveyou1234",
  "welcome12345", "administrator", "1234567890123", "qwerty123456", "password12345", "changeme1234",
  "1q2w3e4r5t6y", "qwertyuiop123", "asdfghjkl123", "zaq12wsxcde3", "abcdefghijkl", "abc123456789",
  "password123!", "passw0rd1234", "p@ssword1234", "p@ssw0rd1234", "welcome123456", "letmein12345",
  "trustno1trustno1", "monkey123456", "dragon123456", "football1234", "baseball1234", "sunshine1234",
  "princess1234", "superman1234", "starwars1234", "iloveyou123456", "qwertyqwerty", "adminadmin12",
  "loyalty12345", "tillsafe1234", "cashregister", "password2026", "summer202612", "winter202612",
]);

/** Why a password is refused (400 `weak_password`), or null. */
export function weakPassword(password: string, email: string): string | null {
  if (password.length < 12) return "Use at least 12 characters";
  if (password.length > 256) return "Use at most 256 characters";
  const lower = password.toLowerCase();
  if (lower === email.toLowerCase() || lower === email.toLowerCase().split("@")[0]) return "The password may not be your email";
  if (COMMON.has(lower) || /^(.)\1+$/.test(password) || /^(.{1,4})\1+$/.test(lower) || isRun(lower)) return "This password is too common; pick another";
  return null;
}

/** A run of neighbouring characters, such as "123456789012" or "abcdefghijklm" (each one up from the last, or down). */
function isRun(text: string): boolean {
  const steps = new Set<number>();
  for (let i = 1; i < text.length; i++) steps.add(((text.charCodeAt(i) - text.charCodeAt(i - 1)) % 10 + 10) % 10);
  return steps.size === 1 && (steps.has(1) || steps.has(9));
}

async function derive(password: string, salt: Uint8Array, iterations: number, serverSecret: string): Promise<string> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, 256);
  const pepper = await crypto.subtle.importKey("raw", encoder.encode(`tillsafe:password:${serverSecret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", pepper, bits)));
}

export async function hashPassword(password: string, serverSecret: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${base64url(salt)}$${await derive(password, salt, PBKDF2_ITERATIONS, serverSecret)}`;
}

/** A stored hash to check against when there is none (unknown email): the same work, so the same time. */
const DUMMY = `pbkdf2-sha256$${PBKDF2_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;

/** Whether `password` is the one `stored` was made from; with no stored hash it does the same work and answers no. */
export async function checkPassword(password: string, stored: string | null, serverSecret: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = (stored ?? DUMMY).split("$");
  if (scheme !== "pbkdf2-sha256" || !salt || !hash) return false;
  const candidate = await derive(password, fromBase64(salt), Number(iterations), serverSecret);
  return constantTimeEqual(candidate, hash) && stored !== null;
}
