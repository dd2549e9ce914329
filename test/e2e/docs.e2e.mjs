// The API docs as an integrator meets them: /docs draws the reference and the guide from this server alone (the
// Scalar bundle it serves itself, its own /openapi.json), offline, at laptop and phone width, in light and dark mode,
// and axe-core finds nothing serious in it — neither as it opens nor with an operation and its schemas unfolded.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accessibilityProblems } from "./axe.mjs";
import { e2eEnvironment, shots } from "./harness.mjs";

const env = e2eEnvironment();

for (const [label, width, height, colorScheme] of [["laptop", 1280, 900, "light"], ["phone", 390, 844, "light"], ["laptop-dark", 1280, 900, "dark"]]) {
  test(`/docs: the guide and the reference, nothing fetched from elsewhere, accessible (${label})`, async () => {
    const context = await env.newContext({ viewport: { width, height }, colorScheme });
    const page = await context.newPage();
    const elsewhere = [];
    const errors = [];
    page.on("request", (request) => { if (!request.url().startsWith(env.server.base) && !request.url().startsWith("data:")) elsewhere.push(request.url()); });
    page.on("pageerror", (error) => errors.push(String(error)));
    // An error, or Scalar's warning that it found the document invalid (it then reads schemas its own way).
    page.on("console", (message) => { if (message.type() === "error" || /validation/i.test(message.text())) errors.push(message.text()); });
    await page.goto(`${env.server.base}/docs`);
    await page.getByRole("heading", { name: "The till flow: hold, authorize, confirm" }).waitFor();
    await page.getByText("Confirm a pending operation: holds become journal entries, accruals are credited").first().waitFor({ state: "attached" });
    await page.screenshot({ path: `${shots}docs-${label}.png` });
    const problems = await accessibilityProblems(page);

    // One operation with its answers, their example and errors; the back office's operations unfolded.
    await page.goto(`${env.server.base}/docs#tag/cash-register/POST/v1/operations/{id}/confirm`);
    await page.getByRole("heading", { name: "Confirm a pending operation: holds become journal entries, accruals are credited" }).waitFor();
    await page.getByText('"op_3f2e1d0c9b8a7654"').first().waitFor();
    await page.getByText("operation_not_pending").first().waitFor({ state: "attached" });
    await page.getByRole("button", { name: /^Show More: Back office/ }).click();
    await page.waitForTimeout(300);
    problems.push(...(await accessibilityProblems(page)));
    await page.screenshot({ path: `${shots}docs-${label}-confirm.png` });

    // The webhooks are there, each event with its body.
    await page.getByText("operation.confirmed").first().waitFor({ state: "attached" });
    assert.deepEqual([...new Set(problems)], []);
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(errors, []);
  });
}
