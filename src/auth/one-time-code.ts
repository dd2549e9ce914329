/**
 * One-time SMS codes (confirming a points deduction, signing a member in): 6 digits from crypto.getRandomValues
 * without modulo bias, valid 5 minutes, 5 attempts, single use, stored only as HMAC-SHA256 under a server secret.
 * The rules are pure functions; the AccountDO keeps the state and the route does the hashing and sending.
 */

import { hex } from "../lib/encoding";
import { refuse, type Refusal } from "../lib/refusal";

export const CODE_TTL_MS = 5 * 60 * 1000;
export const CODE_ATTEMPTS = 5;
/** Shortest time between two codes for one purpose (an operation, or signing in). */
export const CODE_RESEND_MS = 20 * 1000;
/** Codes one member may be sent in an hour, all purposes together. */
export const CODES_PER_MEMBER_PER_HOUR = 10;
const HOUR_MS = 3600 * 1000;

export type CodeState = {
  purpose: string;
  hash: string;
  issued_at: number;
  expires_at: number;
  attempts_left: number;
};

/** A uniformly random 6-digit code: 32-bit draws at or above the largest multiple of 10^6 are thrown away. */
export function generateCode(draw: () => number = () => crypto.getRandomValues(new Uint32Array(1))[0]): string {
  const limit = Math.floor(2 ** 32 / 1_000_000) * 1_000_000;
  for (;;) {
    const value = draw();
    if (value < limit) return String(value % 1_000_000).padStart(6, "0");
  }
}

const keys = new Map<string, Promise<CryptoKey>>();

/** HMAC-SHA256 of the code, bound to what it is for, under the server secret. */
export async function codeHash(secret: string, purpose: string, code: string): Promise<string> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return hex(await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(`tillsafe-code\n${purpose}\n${code}`)));
}

/** "+61412345678" → "+61••••••678": enough for the cashier to read out, not enough to copy. */
export function maskPhone(phone: string): string {
  if (phone.length <= 6) return "•".repeat(phone.length);
  return `${phone.slice(0, 3)}${"•".repeat(phone.length - 6)}${phone.slice(-3)}`;
}

/** May a new code be sent? `sentAt` are the member's sends of the last hour, `purposeSentAt` this purpose's last. */
export function decideIssue(sentAt: number[], purposeSentAt: number | null, now: number): Refusal | null {
  if (purposeSentAt !== null && now - purposeSentAt < CODE_RESEND_MS) {
    const retryAfter = Math.ceil((CODE_RESEND_MS - (now - purposeSentAt)) / 1000);
    return refuse("rate_limited", "A code was sent moments ago; wait before sending another", { retry_after: retryAfter });
  }
  const recent = sentAt.filter((at) => now - at < HOUR_MS).sort((a, b) => a - b);
  if (recent.length >= CODES_PER_MEMBER_PER_HOUR) {
    const retryAfter = Math.ceil((recent[0] + HOUR_MS - now) / 1000);
    return refuse("rate_limited", "Too many codes were sent to this member in the last hour", { retry_after: retryAfter });
  }
  return null;
}

export function newCode(purpose: string, hash: string, now: number): CodeState {
  return { purpose, hash, issued_at: now, expires_at: now + CODE_TTL_MS, attempts_left: CODE_ATTEMPTS };
}

export type VerifyDecision =
  | { kind: "verified" }
  | { kind: "wrong"; state: CodeState; refusal: Refusal }
  | { kind: "refuse"; refusal: Refusal };

/** One attempt at a code. `matches` is the constant-time comparison of the hashes, made by the caller. */
export function decideVerify(state: CodeState | null, matches: boolean, now: number): VerifyDecision {
  if (!state) return { kind: "refuse", refusal: refuse("code_not_sent", "No code was sent for this, or it was already used") };
  if (state.attempts_left <= 0) {
    return { kind: "refuse", refusal: refuse("code_attempts_exhausted", "Too many wrong codes; send a new one") };
  }
  if (now >= state.expires_at) return { kind: "refuse", refusal: refuse("code_expired", "The code has expired; send a new one") };
  if (matches) return { kind: "verified" };
  const next = { ...state, attempts_left: state.attempts_left - 1 };
  const refusal =
    next.attempts_left === 0
      ? refuse("code_attempts_exhausted", "Too many wrong codes; send a new one", { attempts_left: 0 })
      : refuse("invalid_code", "The code is not right", { attempts_left: next.attempts_left });
  return { kind: "wrong", state: next, refusal };
}
