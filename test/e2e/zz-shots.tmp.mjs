// Temporary: screenshots of the pages this change touched (not committed).
import { startServer } from "./server.mjs";
import { launchBrowser } from "./browser.mjs";
import { accessibilityProblems } from "./axe.mjs";
import { DatabaseSync } from "node:sqlite";
import { readdirSync } from "node:fs";

const server = await startServer();
const browser = await launchBrowser();
const out = "/tmp/shots/";
try {
  const office = { authorization: `Bearer ${server.secretKey}`, "content-type": "application/json" };
  const till = { authorization: `Bearer ${server.terminalKey}`, "content-type": "application/json" };
  // An approval answered on a page opened from a link.
  await fetch(`${server.base}/v1/settings`, { method: "PATCH", headers: office, body: JSON.stringify({ approval_required_for: ["credit"] }) });
  const sale = await fetch(`${server.base}/v1/operations`, { method: "POST", headers: { ...till, "idempotency-key": "shot-1" }, body: JSON.stringify({ type: "purchase", card: "6001000000000001", cheque: { number: "S-1", total: 1200 }, payments: [{ method: "credit", amount: 1200 }] }) }).then((r) => r.json());
  const asked = await fetch(`${server.base}/v1/operations/${sale.id}/approval-requests`, { method: "POST", headers: { ...till, "idempotency-key": "shot-2" }, body: "{}" }).then((r) => r.json());
  const link = await fetch(`${server.base}/v1/members/${server.memberId}/portal-sessions`, { method: "POST", headers: office }).then((r) => r.json());
  const portal = await fetch(link.url, { redirect: "manual" });
  const cookie = portal.headers.get("set-cookie").split(";")[0];
  const ok = await fetch(`${server.base}/v1/me/approval-requests/${asked.request.id}/approve`, { method: "POST", headers: { cookie, origin: server.base } });
  console.log("approve", ok.status, await ok.text());
  // The audit log cut in the database underneath.
  await fetch(`${server.base}/v1/audit-log/verify`, { headers: office });
  const dir = `${server.stateDir}/v3/d1/miniflare-D1DatabaseObject`;
  for (const file of readdirSync(dir).filter((n) => n.endsWith(".sqlite"))) {
    const db = new DatabaseSync(`${dir}/${file}`);
    try { db.exec("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)"); } catch {} finally { db.close(); }
  }
  console.log("verify", await fetch(`${server.base}/v1/audit-log/verify`, { headers: office }).then((r) => r.text()));
  await new Promise((r) => setTimeout(r, 3000));

  for (const [w, h, tag] of [[1280, 900, "laptop"], [390, 844, "phone"]]) {
    const context = await browser.newContext({ viewport: { width: w, height: h }, timezoneId: "Australia/Sydney" });
    const page = await context.newPage();
    page.on("console", (m) => { if (m.type() === "error") console.log("console error", m.text()); });
    await page.goto(`${server.base}/console`);
    await page.fill("#signin-email", server.owner.email);
    await page.fill("#signin-password", server.owner.password);
    await page.click("#signin-submit");
    await page.locator("#sign-out").waitFor();
    for (const [path, name, act] of [
      ["/console/settings", "settings"],
      [`/console/members/${server.memberId}`, "member", async () => { await page.click("#portal-link"); await page.locator("#page-message:not([hidden])").waitFor(); }],
      [`/console/operations/${sale.id}`, "operation"],
      ["/console/alerts", "alerts"],
      ["/console/audit", "audit", async () => { await page.click("#verify-audit"); await page.waitForTimeout(800); }],
    ]) {
      await page.goto(`${server.base}${path}`);
      if (act) await act();
      console.log(tag, name, JSON.stringify(await accessibilityProblems(page)));
      await page.screenshot({ path: `${out}${name}-${tag}.png`, fullPage: true });
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.stop();
}
