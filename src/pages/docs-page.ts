/**
 * /docs: Scalar's standalone reference, served by this Worker (no CDN, no web fonts), reading /openapi.json, with the
 * guide as the document's introduction. Two things of ours make it pass axe-core like every other page here:
 * - colours: Scalar's theme greys and method colours are a little light for text (3–4.3:1); ours reach 4.5:1 on
 *   every background the reference draws, in light and in dark mode;
 * - names and roles Scalar leaves out (copy buttons and the search button without a name, sidebar buttons with
 *   `aria-selected`, scrolling code without keyboard access): a small script puts them right as the reference
 *   draws itself, until Scalar does so itself.
 */

/** Scalar's settings: nothing from outside this server (no web fonts, no AI agent calling scalar.com), examples with fetch. */
const SCALAR_CONFIGURATION = {
  withDefaultFonts: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
  hideClientButton: true,
  defaultHttpClient: { targetKey: "js", clientKey: "fetch" },
  telemetry: false,
  customCss: `
.light-mode {
  --scalar-color-2: #595959; --scalar-color-3: #616161; --scalar-sidebar-color-2: #595959;
  --scalar-color-green: #006c48; --scalar-color-blue: #0057a3; --scalar-color-orange: #a83800;
  --scalar-color-red: #b00000; --scalar-color-yellow: #6b5000; --scalar-color-purple: #5203d1;
}
.dark-mode {
  --scalar-color-2: #b3b3b3; --scalar-color-3: #a6a6a6; --scalar-sidebar-color-2: #b3b3b3;
  --scalar-color-green: #3ccf8e; --scalar-color-blue: #5cb3ff; --scalar-color-orange: #ff9d5c;
  --scalar-color-red: #ff6b6b; --scalar-color-yellow: #e5c07b; --scalar-color-purple: #c0a8ff;
}`,
};

/** Puts right, as the reference draws, the names and roles it leaves out; then draws the reference. */
export const DOCS_SCRIPT = String.raw`
(function () {
  function name(element, label) { if (!element.getAttribute("aria-label")) element.setAttribute("aria-label", label); }
  function repair(root) {
    root.querySelectorAll("button.scalar-code-copy").forEach(function (b) { name(b, "Copy the code"); });
    root.querySelectorAll("button[role=search]").forEach(function (b) { name(b, "Search the reference"); });
    // The language picker: its "more" button sits among the tabs, so it is one (a tab that opens the list of others).
    root.querySelectorAll("button.client-libraries__select").forEach(function (b) {
      name(b, "More languages");
      if (b.closest("[role=tablist]") && !b.getAttribute("role")) { b.setAttribute("role", "tab"); b.setAttribute("aria-haspopup", "true"); }
    });
    // aria-selected belongs to tabs and options: on a sidebar button it says aria-current instead.
    root.querySelectorAll("button[aria-selected]:not([role])").forEach(function (b) {
      if (b.getAttribute("aria-selected") === "true") b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
      b.removeAttribute("aria-selected");
    });
    root.querySelectorAll("button.show-more[aria-label]").forEach(function (b) {
      var text = b.textContent.trim();
      var label = b.getAttribute("aria-label");
      if (text && label.indexOf(text) === -1) b.setAttribute("aria-label", text + ": " + label.replace(/^Show all /, ""));
    });
    root.querySelectorAll("pre > code, ul.endpoints").forEach(function (c) {
      if (!c.hasAttribute("tabindex") && (c.scrollWidth > c.clientWidth || c.scrollHeight > c.clientHeight)) c.setAttribute("tabindex", "0");
    });
  }
  var queued = false;
  new MutationObserver(function () {
    if (queued) return;
    queued = true;
    requestAnimationFrame(function () { queued = false; repair(document); });
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-selected", "aria-label", "role"] });
})();
Scalar.createApiReference("#reference", ${JSON.stringify({ url: "/openapi.json", ...SCALAR_CONFIGURATION })});`;

/** The page: Scalar's bundle, then ours (both scripts of this server: the page's CSP allows no inline script). */
export const DOCS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Tillsafe API</title></head><body>
<noscript><h1>Tillsafe API</h1><p>The reference needs JavaScript. The contract is <a href="/openapi.json">/openapi.json</a>, and its description is the guide.</p></noscript>
<div id="reference"></div>
<script src="/docs-assets/scalar.js"></script>
<script src="/docs/reference.js"></script></body></html>`;
