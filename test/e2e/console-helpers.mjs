// What the console's browser tests share: a window with its errors collected, the demo owner's sign-in, the same
// page at phone width, and a sale held or cancelled at the till.
import assert from "node:assert/strict";
import { accessibilityProblems } from "./axe.mjs";
import { shots } from "./harness.mjs";

/** The helpers, bound to a file's `e2eEnvironment()`. */
export function consoleHelpers(env) {
  /** A window in Sydney's time (the demo business's); its page errors and console errors are collected. */
  async function open(width, height) {
    const context = await env.newContext({ viewport: { width, height }, timezoneId: "Australia/Sydney" });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    // A CSP violation or a failed script shows as a console error.
    page.on("console", (message) => { if (message.type() === "error" && !/Failed to load resource/.test(message.text())) errors.push(message.text()); });
    return { page, errors };
  }

  /** Signs in as the demo's owner, whose login `npm start` printed. */
  async function signInAsDemoOwner(page) {
    await page.goto(`${env.server.base}/console`);
    await page.fill("#signin-email", env.server.owner.email);
    await page.fill("#signin-password", env.server.owner.password);
    await page.click("#signin-submit");
    await page.locator("#sign-out").waitFor();
  }

  /** The page the test is on, signed in the same, at phone width: checked by axe-core and saved; its errors. */
  async function atPhoneWidth(page, name, prepare = async () => {}) {
    const phone = await open(390, 844);
    await phone.page.context().addCookies(await page.context().cookies());
    await phone.page.goto(page.url());
    await prepare(phone.page);
    assert.deepEqual(await accessibilityProblems(phone.page), []);
    await phone.page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
    return phone.errors;
  }

  /** A sale held at the till with a terminal key: `amount` of credit on a card (Nicola's by default). */
  async function holdSale(key, amount, card = "6001000000000001") {
    const held = await fetch(`${env.server.base}/v1/operations`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "idempotency-key": `console-${Date.now()}-${Math.random()}` },
      body: JSON.stringify({ type: "purchase", card, cheque: { number: "C-1", total: amount }, payments: [{ method: "credit", amount }] }),
    });
    assert.equal(held.status, 201);
    return (await held.json()).id;
  }

  async function cancelSale(key, id) {
    const cancelled = await fetch(`${env.server.base}/v1/operations/${id}/cancel`, { method: "POST", headers: { authorization: `Bearer ${key}`, "idempotency-key": `cancel-${id}` } });
    assert.equal(cancelled.status, 200);
  }

  return { open, signInAsDemoOwner, atPhoneWidth, holdSale, cancelSale };
}
