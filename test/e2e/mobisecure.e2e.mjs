// The guide's story in two browsers: the cashier's register page and Nicola's membership page, against `npm start`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accessibilityProblems } from "./axe.mjs";
import { e2eEnvironment, shots } from "./harness.mjs";

const env = e2eEnvironment();

async function openRegister() {
  const context = await env.newContext({ viewport: { width: 900, height: 1000 } });
  const page = await context.newPage();
  await page.goto(env.server.registerUrl);
  await page.locator("#till").filter({ hasText: "Cafe Aroma" }).waitFor();
  return page;
}

async function openMemberPage(url) {
  const context = await env.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForURL(/\/m\/ten_/);
  await page.locator("body[data-live='true']").waitFor();
  return page;
}

async function newPortalLink() {
  const response = await fetch(`${env.server.base}/v1/members/${env.server.memberId}/portal-sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.server.secretKey}` },
  });
  assert.equal(response.status, 201);
  return (await response.json()).url;
}

async function sale(register, total) {
  await register.fill("#total", total);
  await register.fill("#amount", total);
}

const creditBalance = (member) => member.locator(".balance[data-method='credit'] b").textContent();

test("reject, change the amount, approve, confirm: Nicola's page shows 93.50 and the payment on top", async () => {
  const member = await openMemberPage(env.server.memberUrl);
  assert.equal(await creditBalance(member), "$150.00");
  const register = await openRegister();

  await sale(register, "47.00");
  await register.click("#create");
  await register.locator("#operation[data-authorization='required']").waitFor();
  await register.click("#request");
  await register.locator("#message").filter({ hasText: "Waiting for the member" }).waitFor();

  await member.locator("#approval:not([hidden])").waitFor();
  assert.equal(await member.locator("#approval-amount").textContent(), "$47.00");
  assert.match(await member.locator("#approval-where").textContent(), /Cafe Aroma — King St · Front counter/);
  await member.screenshot({ path: `${shots}member-approval-47.png` });
  await member.click("#reject");
  await member.locator("#approval[hidden]").waitFor({ state: "attached" });

  await register.locator("#operation[data-authorization='rejected']").waitFor();
  await register.locator("#message").filter({ hasText: "rejected" }).waitFor();

  // The cashier adds a Cafe Mocha and asks again for 56.50.
  await sale(register, "56.50");
  await register.click("#change");
  await register.locator("#operation[data-authorization='required']").waitFor();
  await register.click("#request");
  await member.locator("#approval:not([hidden])").waitFor();
  assert.equal(await member.locator("#approval-amount").textContent(), "$56.50");
  await member.click("#approve");

  await register.locator("#operation[data-authorization='approved']").waitFor();
  await register.click("#confirm");
  await register.locator("#operation[data-status='confirmed']").waitFor();
  await register.screenshot({ path: `${shots}register-confirmed.png`, fullPage: true });

  await member.locator(".balance[data-method='credit'] b").filter({ hasText: "$93.50" }).waitFor();
  const top = member.locator("#history li").first();
  await top.filter({ hasText: "−$56.50" }).waitFor();
  assert.match(await top.textContent(), /Payment/);
  await member.screenshot({ path: `${shots}member-after-confirm.png`, fullPage: true });
});

test("not delivered → retrieved later on the page", async () => {
  const register = await openRegister();
  await sale(register, "10.00");
  await register.click("#create");
  await register.locator("#operation[data-authorization='required']").waitFor();
  await register.click("#request");
  await register.locator("#message").filter({ hasText: "page is not open" }).waitFor();

  const member = await openMemberPage(await newPortalLink());
  await member.locator("#pending li[data-request]").first().waitFor();
  await member.locator("#approval:not([hidden])").waitFor();
  assert.equal(await member.locator("#approval-amount").textContent(), "$10.00");
  await member.screenshot({ path: `${shots}member-retrieved.png` });
  await member.click("#approve");
  await register.locator("#operation[data-authorization='approved']").waitFor();
  await register.click("#cancel");
  await register.locator("#operation[data-status='cancelled']").waitFor();
});

test("pending → resend replaces the request on the member's page", async () => {
  const member = await openMemberPage(await newPortalLink());
  const register = await openRegister();
  await sale(register, "12.00");
  await register.click("#create");
  await register.locator("#operation[data-authorization='required']").waitFor();
  await register.click("#request");
  await member.locator("#approval:not([hidden])").waitFor();
  const first = await member.locator("#pending li[data-request]").first().getAttribute("data-request");

  await register.click("#request");
  await register.locator("#message").filter({ hasText: "still pending" }).waitFor();
  await register.locator("#resend:not([hidden])").waitFor();
  await new Promise((resolve) => setTimeout(resolve, 3_100)); // resends are rate limited per operation
  await register.click("#resend");
  await register.locator("#message").filter({ hasText: "Waiting for the member" }).waitFor();

  await member.locator(`#pending li[data-request]:not([data-request='${first}'])`).waitFor();
  assert.equal(await member.locator("#pending li[data-request]").count(), 1);
  await member.click("#reject");
  await register.locator("#operation[data-authorization='rejected']").waitFor();
  await register.screenshot({ path: `${shots}register-resend-rejected.png`, fullPage: true });
  await register.click("#cancel");
});

test("a dropped socket reconnects by itself and then shows the request it missed", async () => {
  const context = await env.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const member = await context.newPage();
  // Stand between the page and the server: pass the socket through, or refuse it while the "network" is down.
  let down = false;
  const open = [];
  await member.routeWebSocket(/\/v1\/me\/events$/, (ws) => {
    if (down) return ws.close({ code: 4000, reason: "network down" });
    open.push(ws, ws.connectToServer());
  });
  await member.goto(await newPortalLink());
  await member.locator("body[data-live='true']").waitFor();

  down = true;
  // Both ends go: the page's side and the server's, as when the phone loses its network and the server notices.
  await Promise.all(open.splice(0).map((end) => end.close({ code: 4000, reason: "network down" })));
  await member.locator("body[data-live='false']").waitFor();

  const register = await openRegister();
  await sale(register, "8.00");
  await register.click("#create");
  await register.locator("#operation[data-authorization='required']").waitFor();
  await register.click("#request");
  await register.locator("#message").filter({ hasText: "page is not open" }).waitFor();

  down = false;
  await member.locator("body[data-live='true']").waitFor({ timeout: 30_000 });
  await member.locator("#approval:not([hidden])").waitFor();
  assert.equal(await member.locator("#approval-amount").textContent(), "$8.00");
  await member.click("#approve");
  await register.locator("#operation[data-authorization='approved']").waitFor();
  await register.click("#cancel");
  await register.locator("#operation[data-status='cancelled']").waitFor();
});

test("points at an SMS store: the code from the dev outbox is typed into the register", async () => {
  // Give Nicola 500 points at the till (a manual accrual, confirmed).
  const till = { authorization: `Bearer ${env.server.terminalKey}`, "content-type": "application/json" };
  const accrual = await fetch(`${env.server.base}/v1/operations`, {
    method: "POST",
    headers: { ...till, "idempotency-key": `points-${Date.now()}` },
    body: JSON.stringify({ type: "manual_accrual", card: "6001000000000001", method: "points", amount: 500, reason: "welcome bonus" }),
  }).then((r) => r.json());
  assert.equal((await fetch(`${env.server.base}/v1/operations/${accrual.id}/confirm`, { method: "POST", headers: till })).status, 200);

  const register = await openRegister();
  await register.fill("#total", "5.00");
  await register.selectOption("#method", "points");
  await register.fill("#amount", "300");
  await register.click("#create");
  await register.locator("#operation[data-authorization='required']").waitFor();
  await register.locator("#message").filter({ hasText: "an SMS code" }).waitFor();
  await register.click("#send-code");
  await register.locator("#message").filter({ hasText: "Code sent to +61••••••678" }).waitFor();

  const outbox = await fetch(`${env.server.base}/v1/dev/sms?phone=${encodeURIComponent("+61412345678")}`, {
    headers: { authorization: "Bearer dev-platform-token" },
  }).then((r) => r.json());
  const code = /(\d{6}) is your code to pay 300 points/.exec(outbox.data[0].body)[1];
  await register.fill("#code", code);
  await register.click("#verify");
  await register.locator("#operation[data-authorization='verified']").waitFor();
  await register.click("#confirm");
  await register.locator("#operation[data-status='confirmed']").waitFor();
  await register.screenshot({ path: `${shots}register-sms-confirmed.png`, fullPage: true });
});

test("a member signs in on the page with a code from the dev outbox", async () => {
  const context = await env.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  const terminal = await fetch(`${env.server.base}/v1/terminal`, { headers: { authorization: `Bearer ${env.server.terminalKey}` } }).then((r) => r.json());
  await page.goto(`${env.server.base}/m/${terminal.tenant.id}`);
  await page.fill("#phone", "+61412345678");
  await page.click("#send-code");
  const sms = page.locator("#dev-sms-list li").filter({ hasText: "sign-in code" }).first();
  await sms.waitFor();
  const code = /(\d{6}) is your sign-in code/.exec(await sms.textContent())[1];
  await page.fill("#code", code);
  await page.click("#verify-code");
  await page.locator("body[data-live='true']").waitFor();
  assert.equal(await page.locator("header p").textContent(), "Hello, Nicola");

  // Sam is enrolled on the same phone: Nicola's page offers him, and one click moves the page to his membership.
  const enrolled = await fetch(`${env.server.base}/v1/members`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.server.secretKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Sam", phone: "+61412345678" }),
  });
  assert.equal(enrolled.status, 201);
  await page.reload();
  await page.locator("#others-section").getByText("Sam", { exact: true }).waitFor();
  await page.click("text=Switch to Sam");
  await page.locator("header p").filter({ hasText: "Hello, Sam" }).waitFor();
  await page.locator("#others-section").getByText("Nicola", { exact: true }).waitFor();
  await page.screenshot({ path: `${shots}switched-member.png` });
});

test("a sign-in link used already opens the program's sign-in at phone width, saying why", async () => {
  // A member of her own (a phone nobody else here signs in with, so her code is sent at once).
  const back = { authorization: `Bearer ${env.server.secretKey}`, "content-type": "application/json" };
  const ada = await fetch(`${env.server.base}/v1/members`, { method: "POST", headers: back, body: JSON.stringify({ name: "Ada", phone: "+61412000999" }) }).then((r) => r.json());
  const link = await fetch(`${env.server.base}/v1/members/${ada.id}/portal-sessions`, { method: "POST", headers: back }).then((r) => r.json());
  assert.equal((await fetch(link.url, { redirect: "manual" })).status, 302);
  const context = await env.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  const answer = await page.goto(link.url);
  assert.equal(answer.status(), 404);
  assert.equal(
    await page.locator("#link-ended").textContent(),
    "This sign-in link has expired or was already used. Sign in with your phone number below, or ask the store for a new link.",
  );
  await page.locator("#phone-form").waitFor();
  // Laid out for the phone: nothing wider than its screen.
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: `${shots}member-link-ended-phone.png`, fullPage: true });

  // Signed in there with a code, she lands on her own page, not on the ended link again.
  await page.fill("#phone", "+61412000999");
  await page.click("#send-code");
  const sms = page.locator("#dev-sms-list li").filter({ hasText: "+61412000999" }).filter({ hasText: "sign-in code" }).first();
  await sms.waitFor();
  await page.fill("#code", /(\d{6}) is your sign-in code/.exec(await sms.textContent())[1]);
  await page.click("#verify-code");
  await page.locator("body[data-live='true']").waitFor();
  assert.match(new URL(page.url()).pathname, /^\/m\/ten_/);
  assert.equal(await page.locator("header p").textContent(), "Hello, Ada");
});
