/** How every hosted page goes out: its own scripts only (CSP), no referrer, never cached. */
import type { Context } from "hono";
import type { AppEnv } from "./endpoint";

export const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};

export function html(c: Context<AppEnv>, body: string | Promise<string>, status = 200, extra: Record<string, string> = {}) {
  return c.html(body, status as 200, { ...PAGE_HEADERS, ...extra });
}

export function script(c: Context<AppEnv>, source: string) {
  return c.body(source, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache", "x-content-type-options": "nosniff" });
}
