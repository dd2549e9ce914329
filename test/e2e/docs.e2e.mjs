// The API docs as an integrator meets them: /docs draws the reference and the guide from this server alone (the
// Scalar bundle it serves itself, its own /openapi.json), offline, at laptop and phone width.
import assert from "node:assert/strict";
import { test } from "node:test";
import { e2eEnvironment, shots } from "./harness.mjs";

const env = e2eEnvironment();

for (const [label, width, height] of [["laptop", 1280, 900], ["phone", 390, 844]]) {
  test(`/docs: the guide and the reference, nothing fetched from elsewhere (${label})`, async () => {
    const context = await env.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    const elsewhere = [];
    const errors = [];
    page.on("request", (request) => { if (!request.url().startsWith(env.server.base) && !request.url().startsWith("data:")) elsewhere.push(request.url()); });
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
    await page.goto(`${env.server.base}/docs`);
    await page.getByRole("heading", { name: "The till flow: hold, authorize, confirm" }).waitFor();
    await page.getByText("Confirm a pending operation: holds become journal entries, accruals are credited").first().waitFor({ state: "attached" });
    await page.screenshot({ path: `${shots}docs-${label}.png` });
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(errors, []);
  });
}
