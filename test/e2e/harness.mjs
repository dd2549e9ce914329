// One server (`npm start` on a free port, fresh state) and one browser per e2e file; every page a test opened is
// closed after it, passed or not, so a member page left open cannot receive the next test's requests.
import { mkdirSync } from "node:fs";
import { after, afterEach, before } from "node:test";
import { launchBrowser } from "./browser.mjs";
import { startServer } from "./server.mjs";

export const shots = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

/** Registers the file's hooks; `env.server` and `env.browser` are set once `before` ran. */
export function e2eEnvironment() {
  const env = { server: null, browser: null, contexts: [] };
  before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(env.contexts.map((context) => context.close()));
    env.contexts = [];
  });
  after(async () => {
    await env.browser?.close();
    env.server?.stop();
  });
  /** A new browser context (a window of its own), closed after the test. */
  env.newContext = async (options) => {
    const context = await env.browser.newContext(options);
    env.contexts.push(context);
    return context;
  };
  return env;
}

/** What the back office shows reaches D1 when an account's outbox ships: at most 10 s after the step (the guide). */
export const SHIPPING_BOUND_MS = 15_000;

/**
 * Reloads `page` until `read()` answers what `settled(text)` accepts, or the shipping bound has passed; answers the
 * last text read, for the caller's exact assertion.
 */
export async function reloadUntil(page, read, settled, boundMs = SHIPPING_BOUND_MS) {
  const until = Date.now() + boundMs;
  let text = await read();
  while (!settled(text) && Date.now() < until) {
    await page.waitForTimeout(250);
    await page.reload();
    text = await read();
  }
  return text;
}
