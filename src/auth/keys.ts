import { randomIdBody } from "../lib/ids";
import { randomSecret, sha256Hex } from "../lib/crypto";

export type KeyKind = "secret" | "terminal";
const PREFIX: Record<KeyKind, string> = { secret: "sk", terminal: "tk" };
const TOKEN = /^(sk|tk)_([0-9a-hjkmnp-tv-z]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedKey {
  id: string;
  token: string;
  secretHash: string;
}

/** A new key: `sk_<key id>_<256-bit secret>`. Only the id and the SHA-256 of the secret are stored. */
export async function issueKey(kind: KeyKind): Promise<IssuedKey> {
  const id = randomIdBody();
  const secret = randomSecret(32);
  return { id, token: `${PREFIX[kind]}_${id}_${secret}`, secretHash: await sha256Hex(secret) };
}

export function parseKey(token: string): { kind: KeyKind; id: string; secret: string } | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  return { kind: match[1] === "sk" ? "secret" : "terminal", id: match[2], secret: match[3] };
}
