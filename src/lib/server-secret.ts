import type { Env } from "../env";

/** The server secret keys HMACs and seals stored secrets; only development may run on a fixed stand-in. */
export function serverSecret(env: Env): string {
  if (env.SERVER_SECRET) return env.SERVER_SECRET;
  if (env.ENVIRONMENT === "development") return "tillsafe-development-only-secret";
  throw new Error("SERVER_SECRET is not configured");
}
