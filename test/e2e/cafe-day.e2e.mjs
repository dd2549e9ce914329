// A day at Cafe Aroma, as its staff and a member live it, in three windows: the owner's console, the till (its API),
// and Nicola's membership page on her phone. Two sales she approves live, a refund, a soft limit crossed that
// arrives on the alerts page without a reload and is resolved, her card blocked from her own page and seen in the
// audit log, and the day's figures — on the page and in the downloaded CSV — that balance.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { accessibilityProblems } from "./axe.mjs";
import { consoleHelpers } from "./console-helpers.mjs";
import { e2eEnvironment, reloadUntil, shots } from "./harness.mjs";

const env = e2eEnvironment();
const { open, signInAsDemoOwner, atPhoneWidth } = consoleHelpers(env);
const CARD = "6001000000000001";

/** The till: one call with the register's key (every POST with its own Idempotency-Key). */
async function till(method, path, body) {
  const headers = { authorization: `Bearer ${env.server.terminalKey}`, "content-type": "application/json" };
  if (method === "POST") headers["idempotency-key"] = `day-${Date.now()}-${Math.random()}`;
  const response = await fetch(`${env.server.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/** A sale paid with customer credit: held, Nicola approves it on her page, confirmed. Answers the operation. */
async function approvedSale(member, cheque, total) {
  const held = await till("POST", "/v1/operations", { type: "purchase", card: CARD, cheque: { number: cheque, total }, payments: [{ method: "credit", amount: total }], accrue_points: true });
  assert.equal(held.status, 201);
  assert.equal(held.body.authorization.status, "required");
  assert.equal((await till("POST", `/v1/operations/${held.body.id}/approval-requests`, {})).status, 201);
  await member.locator("#approval:not([hidden])").waitFor();
  assert.equal(await member.locator("#approval-amount").textContent(), `$${(total / 100).toFixed(2)}`);
  await member.click("#approve");
  await member.locator("#approval[hidden]").waitFor({ state: "attached" });
  const confirmed = await till("POST", `/v1/operations/${held.body.id}/confirm`);
  assert.equal(confirmed.status, 200);
  assert.equal(confirmed.body.status, "confirmed");
  return confirmed.body;
}

test("a day at the cafe: sales approved live, a refund, an alert resolved, a card blocked by its member, the day's CSV", async () => {
  const { page, errors } = await open(1280, 900);
  page.on("dialog", (dialog) => dialog.accept());
  await signInAsDemoOwner(page);

  // Morning: the owner asks to hear of any card paying more than $30.00 of credit in a day.
  await page.click("nav >> text=Limits");
  await page.check("input[name=kind][value=soft]");
  await page.fill("#soft_lower", "30");
  await page.fill("#soft_upper", "1,000");
  await page.locator("#limit-preview").filter({ hasText: "A card may pay at most $1,000.00 with customer credit per day; above $30.00 the security team is alerted." }).waitFor();
  await page.click("#limit-form button[type=submit]");
  await page.locator("#limits li[data-limit]").waitFor();
  await page.click("nav >> text=Alerts");
  await page.locator("#alerts[data-live=yes]").waitFor();

  // Nicola opens her page on her phone.
  const phone = await env.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const member = await phone.newPage();
  member.on("dialog", (dialog) => dialog.accept());
  await member.goto(env.server.memberUrl);
  await member.locator("body[data-live='true']").waitFor();
  const credit = member.locator(".balance[data-method='credit'] b");
  assert.equal(await credit.textContent(), "$150.00");

  // Two sales: $20.00, then $15.00, which takes her over $30.00 for the day.
  const first = await approvedSale(member, "A-101", 2000);
  assert.deepEqual(first.accrual, { points: 20 });
  const alert = page.locator("#alerts li[data-alert]");
  assert.equal(await alert.count(), 0);
  await approvedSale(member, "A-102", 1500);
  // No reload: the alert comes over the console's socket.
  await alert.waitFor({ timeout: 10_000 });
  assert.equal(await alert.locator("b").textContent(), "Soft limit crossed");
  assert.match(await alert.textContent(), /Card 6001000000000001 \(Nicola\) reached \$35\.00 of customer credit spent that day, counting what is still held; the security team is told above \$30\.00\./);

  // A cake came back: $5.00 of the first sale is refunded, and the points it earned for it go back.
  const refund = await till("POST", "/v1/operations", { type: "refund", original_operation_id: first.id, amount: 500 });
  assert.equal(refund.status, 201);
  assert.equal((await till("POST", `/v1/operations/${refund.body.id}/confirm`)).status, 200);
  await credit.filter({ hasText: "$120.00" }).waitFor();
  assert.equal(await member.locator(".balance[data-method='points'] b").textContent(), "30 pts");

  // The security team looks at the alert and resolves it with a note.
  await alert.locator("button[data-acknowledge]").click();
  await page.locator("#alerts li[data-alert] .pill").filter({ hasText: "being looked at" }).waitFor();
  await page.locator("#alerts li[data-alert] summary").click();
  await page.fill("#alerts form[data-resolve] input", "Regular; two visits, receipts match");
  await page.locator("#alerts form[data-resolve] button").click();
  await alert.waitFor({ state: "detached" });
  await page.screenshot({ path: `${shots}cafe-day-alerts-laptop.png`, fullPage: true });

  // Evening: Nicola has lost her card and blocks it herself.
  await member.locator(`#cards li[data-card='${CARD}'] button`).click();
  await member.locator(`#cards li[data-card='${CARD}'] .pill`).filter({ hasText: "blocked" }).waitFor();
  assert.deepEqual(await accessibilityProblems(member), []);
  await member.screenshot({ path: `${shots}cafe-day-member-blocked-phone.png`, fullPage: true });

  // The audit log has it, by the member on her page, above the alert's resolution; the seal holds.
  await page.click("nav >> text=Audit log");
  const entries = await page.locator("#audit li").evaluateAll((items) => items.slice(0, 3).map((li) => li.dataset.action));
  assert.deepEqual(entries, ["card.blocked", "alert.resolved", "alert.acknowledged"]);
  assert.match(await page.locator("#audit li").first().textContent(), /^Blocked a card 6001000000000001.* · the member, on their page.*Status: blocked · Reason: blocked by the member$/);
  await page.click("#verify-audit");
  await page.locator("#verify-message").filter({ hasText: /^Intact: all \d+ entries are as they were written\.$/ }).waitFor();

  // Closing: the day's figures per method, balanced against what the accounts posted.
  await page.click("nav >> text=End of day");
  const figure = (name) => page.locator(`td[data-figure='${name}']`);
  await reloadUntil(page, () => figure("credit.refunded").textContent(), (text) => text === "$5.00");
  const shown = {};
  for (const name of ["credit.deducted", "credit.refunded", "credit.topped_up", "points.accrued", "points.accrual_reversed"]) shown[name] = await figure(name).textContent();
  assert.deepEqual(shown, { "credit.deducted": "$35.00", "credit.refunded": "$5.00", "credit.topped_up": "$150.00", "points.accrued": "35 pts", "points.accrual_reversed": "5 pts" });
  assert.equal(await page.locator("section[data-report-store] p.muted").textContent(), "2 purchases · 1 refund · 1 top-up · 0 changes by hand");
  assert.match(await page.locator("#report-status").textContent(), /^Balanced: every figure equals what the members' accounts posted\./);
  // The owner's archive of the day: a day after it ends, not today.
  assert.equal(await page.locator("#archive-later").textContent(), "The day's archive can be downloaded a day after the day ends.");
  assert.equal(await page.locator("#download-archive").count(), 0);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: `${shots}cafe-day-report-laptop.png`, fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
  const [header, ...lines] = (await readFile(await download.path(), "utf8")).trimEnd().split("\r\n").map((line) => line.split(","));
  const row = (method) => Object.fromEntries(header.map((name, i) => [name, lines.find((line) => line[header.indexOf("method")] === method)[i]]));
  const [c, p] = [row("credit"), row("points")];
  assert.deepEqual(
    [c.deducted, c.journal_deducted, c.refunded, c.journal_refunded, c.topped_up, c.purchases, c.refunds, c.top_ups, c.balanced],
    ["3500", "3500", "500", "500", "15000", "2", "1", "1", "true"],
  );
  assert.deepEqual([p.accrued, p.journal_accrued, p.accrual_reversed, p.journal_accrual_reversed, p.balanced], ["35", "35", "5", "5", "true"]);
  assert.deepEqual([...errors, ...(await atPhoneWidth(page, "cafe-day-report-phone"))], []);
});
