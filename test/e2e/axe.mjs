// axe-core in the page (bundled from node_modules, nothing from a CDN): the violations of a page as it is now.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// Evaluated through the debugging protocol, so the page's own CSP (script-src 'self') stays on and is tested too.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Serious and critical accessibility violations, as "rule: target" lines (an empty list is a pass). */
export async function accessibilityProblems(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((node) => `${v.id}: ${node.target.join(" ")}`));
}
