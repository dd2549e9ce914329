// The merchant console as a new merchant meets it: create a business, the guided set-up, the home page, signing
// out and in again — at laptop and phone width, with axe-core on every page.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accessibilityProblems } from "./axe.mjs";
import { e2eEnvironment, shots } from "./harness.mjs";

const env = e2eEnvironment();
const PASSWORD = "a long enough sentence";

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

for (const [label, width, height] of [["laptop", 1280, 900], ["phone", 390, 844]]) {
  test(`sign up, set up a store and register, land on home, sign out and in (${label})`, async () => {
    const { page, errors } = await open(width, height);
    const email = `owner-${label}-${Date.now()}@cafe.example`;
    await page.goto(`${env.server.base}/console`);
    assert.equal(await page.inputValue("#timezone"), "Australia/Sydney", "the time zone defaults to the browser's");
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: `${shots}console-welcome-${label}.png`, fullPage: true });

    await page.fill("#business_name", "Cafe Aroma");
    await page.fill("#email", email);
    await page.fill("#password", "short");
    await page.click("#signup-submit");
    await page.locator("#password-error:not([hidden])").waitFor();
    assert.equal(await page.locator("#password-error").textContent(), "Use at least 12 characters");
    await page.screenshot({ path: `${shots}console-weak-password-${label}.png`, fullPage: true });
    await page.fill("#password", PASSWORD);
    await page.click("#signup-submit");
    await page.waitForURL(/\/console\/setup$/);
    assert.deepEqual(await accessibilityProblems(page), []);

    await page.fill("#store_name", "King St");
    await page.click("#store-form button[type=submit]");
    await page.locator("#register-key:not([hidden])").waitFor();
    const key = await page.locator("#terminal-key").textContent();
    assert.match(key, /^tk_/);
    assert.match(await page.locator("#curl-line").textContent(), new RegExp(`/v1/terminal -H 'authorization: Bearer ${key}'$`));
    const till = await fetch(`${env.server.base}/v1/terminal`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json());
    assert.equal(till.store.name, "King St");
    assert.equal(till.register.name, "Front counter");
    await page.check("input[name=approval][value=credit]");
    await page.click("#approval-form button[type=submit]");
    await page.locator("#step3:not([hidden])").waitFor();
    await page.check("#sms_confirm");
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: `${shots}console-setup-${label}.png`, fullPage: true });
    await page.click("#sms-form button[type=submit]");
    await page.waitForURL(/\/console$/);

    assert.equal(await page.locator("header h1").textContent(), "Cafe Aroma");
    assert.equal(await page.locator("#stores li").textContent(), "King StSMS code when points pay");
    assert.equal(await page.locator("#approval-summary").textContent(), "The member approves payments with customer credit.");
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: `${shots}console-home-${label}.png`, fullPage: true });

    await page.click("#sign-out");
    await page.locator("#signin-form").waitFor();
    await page.fill("#signin-email", email);
    await page.fill("#signin-password", "not my password at all");
    await page.click("#signin-submit");
    await page.locator("#signin-message:not([hidden])").waitFor();
    assert.equal(await page.locator("#signin-message").textContent(), "The email or the password is not right");
    await page.fill("#signin-password", PASSWORD);
    await page.click("#signin-submit");
    await page.waitForURL(/\/console$/);
    await page.locator("#sign-out").waitFor();
    assert.deepEqual(errors, []);
  });
}

test("the demo's owner login printed by npm start opens Cafe Aroma's console", async () => {
  const { page, errors } = await open(1280, 900);
  await signInAsDemoOwner(page);
  assert.equal(await page.locator("header h1").textContent(), "Cafe Aroma");
  assert.equal(await page.locator("#stores li span").first().textContent(), "Cafe Aroma — King St");
  assert.equal(await page.locator("#approval-summary").textContent(), "The member approves payments with customer credit, cashback.");
  assert.deepEqual(errors, []);
});

test("settings and staff: the owner changes settings and invites a security member, who can only read them", async () => {
  const { page, errors } = await open(1280, 900);
  const email = `owner-staff-${Date.now()}@cafe.example`;
  await page.goto(`${env.server.base}/console`);
  await page.fill("#business_name", "Harbour Books");
  await page.selectOption("#currency", "AUD");
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await page.click("#signup-submit");
  await page.waitForURL(/\/console\/setup$/);

  await page.goto(`${env.server.base}/console/settings`);
  assert.equal(await page.inputValue("#hold_minutes"), "15");
  await page.fill("#points_per_currency_unit", "2");
  await page.fill("#hold_minutes", "10");
  await page.fill("#sms_per_hour", "-1");
  await page.click("#settings-form button[type=submit]");
  await page.locator("#sms_per_hour-error:not([hidden])").waitFor();
  await page.fill("#sms_per_hour", "200");
  await page.check("input[name=approval][value=points]");
  await page.click("#settings-form button[type=submit]");
  await page.locator("#settings-message").filter({ hasText: "Saved." }).waitFor();
  await page.reload();
  assert.deepEqual(
    await Promise.all(["#points_per_currency_unit", "#hold_minutes", "#sms_per_hour"].map((id) => page.inputValue(id))),
    ["2", "10", "200"],
  );
  assert.equal(await page.isChecked("input[name=approval][value=points]"), true);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: `${shots}console-settings-laptop.png`, fullPage: true });

  await page.goto(`${env.server.base}/console/staff`);
  await page.fill("#invite_email", `guard-${Date.now()}@cafe.example`);
  await page.selectOption("#invite_role", "security");
  await page.click("#invite-staff-form button[type=submit]");
  await page.locator("#invite-link:not([hidden])").waitFor();
  const link = await page.locator("#invite-url").textContent();
  assert.match(link, /\/console\/invite\/si_/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: `${shots}console-staff-laptop.png`, fullPage: true });

  const guard = await open(390, 844);
  await guard.page.goto(link);
  await guard.page.fill("#password", "short");
  await guard.page.click("#invite-form button[type=submit]");
  await guard.page.locator("#password-error:not([hidden])").waitFor();
  assert.deepEqual(await accessibilityProblems(guard.page), []);
  await guard.page.fill("#password", PASSWORD);
  await guard.page.click("#invite-form button[type=submit]");
  await guard.page.waitForURL(/\/console$/);
  assert.match(await guard.page.locator("header p").textContent(), /\(security\)$/);
  await guard.page.goto(`${env.server.base}/console/settings`);
  assert.equal(await guard.page.isDisabled("#points_per_currency_unit"), true);
  assert.equal(await guard.page.locator("#settings-form button").count(), 0);
  const refused = await guard.page.evaluate(() => fetch("/v1/settings", { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ hold_ttl_seconds: 60 }) }).then((r) => r.status));
  assert.equal(refused, 403);
  assert.deepEqual(await accessibilityProblems(guard.page), []);
  await guard.page.screenshot({ path: `${shots}console-settings-security-phone.png`, fullPage: true });
  assert.deepEqual([...errors, ...guard.errors], []);
});

test("members: find Nicola by her phone as typed, see what is held, block and unblock her card, make her a link", async () => {
  const { page, errors } = await open(1280, 900);
  await signInAsDemoOwner(page);
  // A sale held at the till: 10.00 of credit.
  const held = await fetch(`${env.server.base}/v1/operations`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.server.terminalKey}`, "content-type": "application/json", "idempotency-key": `console-${Date.now()}` },
    body: JSON.stringify({ type: "purchase", card: "6001000000000001", cheque: { number: "C-1", total: 1000 }, payments: [{ method: "credit", amount: 1000 }] }),
  });
  assert.equal(held.status, 201);

  await page.click("nav >> text=Members");
  await page.fill("#query", "0412 345 678");
  await page.click("form[role=search] button");
  await page.locator("#members a").filter({ hasText: "Nicola" }).click();
  await page.waitForURL(/\/console\/members\/mem_/);
  const credit = page.locator("#balances li").first();
  assert.match(await credit.textContent(), /^Customer credit\$\d[\d,]*\.\d\d · \$10\.00 held$/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: `${shots}console-member-laptop.png`, fullPage: true });

  await page.click("[data-card-action=block]");
  await page.locator("#cards [data-status]").filter({ hasText: "blocked" }).waitFor();
  // Blocking released the hold.
  await page.reload();
  assert.doesNotMatch(await page.locator("#balances li").first().textContent(), /held/);
  await page.click("[data-card-action=unblock]");
  await page.locator("#cards [data-status]").filter({ hasText: "active" }).waitFor();
  await page.click("#portal-link");
  await page.locator("#portal-url:not([hidden])").waitFor();
  assert.match(await page.locator("#portal-url").textContent(), /\/portal\/pl_/);
  await page.click("#revoke-sessions");
  await page.locator("#page-message").filter({ hasText: /sessions? ended/ }).waitFor();

  const phone = await open(390, 844);
  await phone.page.context().addCookies(await page.context().cookies());
  await phone.page.goto(page.url());
  assert.deepEqual(await accessibilityProblems(phone.page), []);
  await phone.page.screenshot({ path: `${shots}console-member-phone.png`, fullPage: true });
  assert.deepEqual([...errors, ...phone.errors], []);
});
