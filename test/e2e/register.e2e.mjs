// The register page holds once per sale: a double click, a retry, a new sale; the amount paid in its own unit;
// refusals next to the field they are about. Also: the member page shrugs off the keep-alive's "pong".
import assert from "node:assert/strict";
import { test } from "node:test";
import { accessibilityProblems } from "./axe.mjs";
import { e2eEnvironment, shots } from "./harness.mjs";

const CARD = "6001000000000001";
const env = e2eEnvironment();

async function openRegister(width = 900, height = 1000) {
  const context = await env.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  // A CSP violation or a failed script shows as a console error.
  page.on("console", (message) => { if (message.type() === "error" && !/Failed to load resource/.test(message.text())) errors.push(message.text()); });
  await page.goto(env.server.registerUrl);
  await page.locator("#till").filter({ hasText: "Cafe Aroma" }).waitFor();
  return { page, errors };
}

const back = (path) => fetch(`${env.server.base}${path}`, { headers: { authorization: `Bearer ${env.server.secretKey}` } }).then((r) => r.json());
const pendingOfNicola = async () => (await back(`/v1/operations?member_id=${env.server.memberId}&status=pending`)).data.length;
const credit = async () => (await back(`/v1/members/${env.server.memberId}`)).balances.credit;

async function settle() {
  // The operation list is D1's projection: wait until the account has shipped what it decided (a pending
  // operation's create ships 10 s after it at most, when no confirm took it along earlier).
  await new Promise((resolve) => setTimeout(resolve, 11_500));
}

test("a double click on Create holds once; confirm says what was paid; New sale clears the form", async () => {
  // The demo asks for approval on credit; this sale pays points at the SMS store, so the member is not needed.
  const till = { authorization: `Bearer ${env.server.terminalKey}`, "content-type": "application/json" };
  const accrual = await fetch(`${env.server.base}/v1/operations`, {
    method: "POST",
    headers: { ...till, "idempotency-key": `points-${Date.now()}` },
    body: JSON.stringify({ type: "manual_accrual", card: CARD, method: "points", amount: 50, reason: "welcome bonus" }),
  }).then((r) => r.json());
  assert.equal((await fetch(`${env.server.base}/v1/operations/${accrual.id}/confirm`, { method: "POST", headers: till })).status, 200);

  const { page, errors } = await openRegister();
  await settle();
  const before = await pendingOfNicola();
  await page.fill("#total", "5.00");
  await page.selectOption("#method", "points");
  await page.fill("#amount", "10");
  await page.locator("#create").dblclick();
  await page.locator("#operation[data-status='pending']").waitFor();
  assert.equal(await page.locator("#create").isDisabled(), true);
  await settle();
  assert.equal(await pendingOfNicola(), before + 1, "one operation held for two clicks");

  await page.click("#send-code");
  await page.locator("#message").filter({ hasText: "Code sent" }).waitFor();
  const outbox = await fetch(`${env.server.base}/v1/dev/sms?phone=${encodeURIComponent("+61412345678")}`, {
    headers: { authorization: "Bearer dev-platform-token" },
  }).then((r) => r.json());
  const code = /(\d{6}) is your code to pay 10 points/.exec(outbox.data[0].body)[1];
  await page.fill("#code", "12345");
  await page.click("#verify");
  assert.equal(await page.locator("#code-error").textContent(), "The code is the 6 digits of the member's SMS.");
  await page.fill("#code", code);
  await page.click("#verify");
  await page.locator("#operation[data-authorization='verified']").waitFor();
  await page.click("#confirm");
  await page.locator("#operation[data-status='confirmed']").waitFor();
  assert.equal(await page.locator("#message").textContent(), "Confirmed. 10 points ($0.10) paid; 4 points earned.");
  await page.screenshot({ path: `${shots}register-confirmed.png`, fullPage: true });

  await page.locator("#new-sale").click();
  assert.equal(await page.locator("#operation").textContent(), "No operation yet.");
  assert.deepEqual(await Promise.all(["#card", "#total", "#amount", "#code"].map((id) => page.inputValue(id))), ["", "", "", ""]);
  assert.equal(await page.inputValue("#cheque"), "A-1002");
  assert.equal(await page.locator("#create").isDisabled(), false);
  assert.equal(await page.locator("#new-sale").isHidden(), true);
  assert.deepEqual(errors, []);
});

test("an answer lost on the way: the fields stay as sent, and pressing Create again finds the same hold", async () => {
  const { page } = await openRegister();
  await settle();
  const before = await pendingOfNicola();
  let lost = 0;
  await page.route("**/v1/operations", async (route) => {
    if (route.request().method() !== "POST" || lost > 0) return route.continue();
    lost += 1;
    // The server gets the create and holds the money; its answer never reaches the till.
    await route.fetch();
    await route.abort("connectionreset");
  });
  await page.fill("#total", "3.00");
  await page.fill("#amount", "3.00");
  await page.click("#create");
  await page.locator("#message").filter({ hasText: "No answer from the server" }).waitFor();
  assert.equal(await page.locator("#amount").isDisabled(), true, "the sale's fields are kept as they were sent");
  await page.click("#create");
  await page.locator("#operation[data-status='pending']").waitFor();
  assert.equal(await page.locator("#amount").isDisabled(), false);
  await settle();
  assert.equal(await pendingOfNicola(), before + 1, "one hold for the lost answer and its retry");
  await page.click("#cancel");
  await page.locator("#operation[data-status='cancelled']").waitFor();
});

test("refusals stand next to their field: the card, and the amount with what is available", async () => {
  const { page, errors } = await openRegister();
  await page.fill("#card", "6001999999999999");
  await page.fill("#total", "10.00");
  await page.fill("#amount", "10.00");
  await page.click("#create");
  await page.locator("#card-error:not([hidden])").waitFor();
  assert.equal(await page.locator("#card-error").textContent(), "No member has this card.");
  assert.equal(await page.getAttribute("#card", "aria-invalid"), "true");

  const { available } = await credit();
  await page.fill("#card", CARD);
  await page.fill("#total", "900.00");
  await page.fill("#amount", "900.00");
  await page.click("#create");
  await page.locator("#amount-error:not([hidden])").waitFor();
  const shown = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(available / 100);
  assert.equal(await page.locator("#amount-error").textContent(), `Only ${shown} of credit available.`);
  assert.equal(await page.locator("#card-error").isHidden(), true);
  await page.screenshot({ path: `${shots}register-refused.png`, fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);

  const phone = await openRegister(390, 844);
  await phone.page.fill("#card", CARD);
  await phone.page.fill("#total", "900.00");
  await phone.page.click("#create");
  await phone.page.locator("#amount-error:not([hidden])").waitFor();
  await phone.page.screenshot({ path: `${shots}register-refused-phone.png`, fullPage: true });
  assert.deepEqual(errors, []);
});

test("a limit's refusal in a cashier's words; a refusal's banner goes with the next attempt", async () => {
  const secret = { authorization: `Bearer ${env.server.secretKey}`, "content-type": "application/json" };
  const newLimit = (body) => fetch(`${env.server.base}/v1/limits`, { method: "POST", headers: secret, body: JSON.stringify(body) }).then((r) => r.json());
  const perSale = await newLimit({ scope: "card", scope_id: null, metric: "deducted_amount", method: "credit", period: "operation", hard: 5000 });
  const { page, errors } = await openRegister(390, 844);
  await page.fill("#card", CARD);
  await page.fill("#total", "60.00");
  await page.click("#create");
  await page.locator("#amount-error:not([hidden])").waitFor();
  assert.equal(await page.locator("#amount-error").textContent(), "This card may spend at most $50.00 of credit in one sale.");
  await page.screenshot({ path: `${shots}register-limit-phone.png`, fullPage: true });

  // A count limits the store: no purchase at all today. Said in the banner, as it is about no field.
  const none = await newLimit({ scope: "store", scope_id: null, metric: "purchase_count", period: "day", hard: 0 });
  await page.fill("#total", "20.00");
  await page.click("#create");
  await page.locator("#message:not([hidden])").waitFor();
  assert.equal(await page.locator("#message").textContent(), "This store may make at most 0 purchases a day: none left today.");
  assert.equal(await page.locator("#amount-error").isHidden(), true);

  // The next attempt fails for another reason: the banner goes, the new reason stands by its field.
  await page.fill("#card", "6001999999999999");
  await page.click("#create");
  await page.locator("#card-error:not([hidden])").waitFor();
  assert.equal(await page.locator("#message").isHidden(), true);
  // And a form the page itself refuses clears what the server said before.
  await page.fill("#card", CARD);
  await page.click("#create");
  await page.locator("#message:not([hidden])").waitFor();
  await page.fill("#total", "");
  await page.click("#create");
  await page.locator("#total-error:not([hidden])").waitFor();
  assert.equal(await page.locator("#message").isHidden(), true);
  assert.deepEqual(await accessibilityProblems(page), []);
  assert.deepEqual(errors, []);
  for (const limit of [perSale, none]) await fetch(`${env.server.base}/v1/limits/${limit.id}`, { method: "DELETE", headers: secret });
});

test("the member page takes the server's keep-alive 'pong' without an error", async () => {
  const context = await env.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const member = await context.newPage();
  const errors = [];
  member.on("pageerror", (error) => errors.push(String(error)));
  member.on("console", (message) => { if (message.type() === "error" && !/Failed to load resource/.test(message.text())) errors.push(message.text()); });
  let toPage = null;
  await member.routeWebSocket(/\/v1\/me\/events$/, (ws) => {
    toPage = ws;
    ws.connectToServer();
  });
  const link = await fetch(`${env.server.base}/v1/members/${env.server.memberId}/portal-sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.server.secretKey}` },
  }).then((r) => r.json());
  await member.goto(link.url);
  await member.locator("body[data-live='true']").waitFor();
  toPage.send("pong");
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(errors, []);
  assert.deepEqual(await accessibilityProblems(member), []);
  await member.screenshot({ path: `${shots}member-page-phone.png`, fullPage: true });
  // Sign out ends the session: the page goes back to signing in.
  await member.click("#sign-out");
  await member.locator("#send-code").waitFor();
  await member.screenshot({ path: `${shots}member-signed-out.png`, fullPage: true });
  assert.deepEqual(await accessibilityProblems(member), []);
});
