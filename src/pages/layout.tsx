/** The shell of every hosted page: phone-first, no framework, scripts served from /assets (CSP script-src 'self'). */
import type { Child } from "hono/jsx";

export const STYLE = `
:root{--ink:#1d2433;--muted:#5b6477;--line:#e3e6ee;--accent:#0b6e4f;--bad:#b3261e;--bg:#f6f7fb}
*{box-sizing:border-box}[hidden]{display:none!important}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--accent);color:#fff;padding:14px 16px}header h1{margin:0;font-size:18px}header p{margin:2px 0 0;opacity:.85;font-size:14px}
main{max-width:560px;margin:0 auto;padding:12px}main.wide{max-width:800px}
section{background:#fff;border:1px solid var(--line);border-radius:12px;padding:14px 16px;margin:12px 0}
section h2{font-size:15px;margin:0 0 10px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.balances{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}.balance{text-align:center}
.balance b{display:block;font-size:20px}.balance small{color:var(--muted)}
ul.list{list-style:none;margin:0;padding:0}ul.list li{display:flex;justify-content:space-between;gap:8px;padding:8px 0;border-top:1px solid var(--line)}
ul.list li:first-child{border-top:0}.neg{color:var(--bad)}.pos{color:var(--accent)}.muted{color:var(--muted);font-size:14px}
button{font:inherit;border-radius:10px;border:1px solid var(--line);background:#fff;padding:10px 14px;cursor:pointer}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}button.danger{background:var(--bad);border-color:var(--bad);color:#fff}
button:disabled{opacity:.5;cursor:default}
.modal{position:fixed;inset:0;background:rgba(20,24,35,.55);display:flex;align-items:center;justify-content:center;padding:16px}
.modal[hidden]{display:none}.dialog{background:#fff;border-radius:16px;padding:20px;max-width:420px;width:100%}
.dialog .amount{font-size:32px;font-weight:700;margin:8px 0}.row{display:flex;gap:8px;flex-wrap:wrap}.row>*{flex:1}.row.fields>*{flex:1 1 140px}
label{display:block;font-size:14px;color:var(--muted);margin:8px 0 4px}input,select,textarea{font:inherit;width:100%;padding:9px 10px;border:1px solid var(--line);border-radius:8px}
.status{padding:10px 12px;border-radius:10px;background:#eef6f2;margin:10px 0}.status.bad{background:#fbeceb}.status.wait{background:#fff7e0}
.field-error{color:var(--bad);font-size:14px;margin:4px 0 0}form button[type=submit]{margin-top:12px}
pre,code{white-space:pre-wrap;word-break:break-all;font-size:14px}pre{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:8px}
fieldset{border:0;margin:0;padding:0}.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
nav.row>a{flex:0 0 auto;margin-right:16px;color:var(--accent)}legend{font-size:14px;color:var(--muted);padding:0;margin:8px 0 4px}input[aria-invalid=true],textarea[aria-invalid=true]{border-color:var(--bad)}
ul.list li>button{flex:0 0 auto;align-self:center}[data-register]{border-top:1px solid var(--line);margin-top:8px}
:focus-visible{outline:3px solid #1a56db;outline-offset:2px}
table{border-collapse:collapse;width:100%;font-size:15px}th,td{text-align:right;padding:6px 8px;border-top:1px solid var(--line);white-space:nowrap}th[scope=row]{text-align:left;font-weight:normal;white-space:normal}
.pill{display:inline-block;padding:2px 8px;border-radius:99px;background:var(--line);font-size:13px}
`;

/** `wide`: the console, read on a laptop as often as on a phone. */
export function Page(props: { title: string; heading: string; subheading?: string; script?: string; wide?: boolean; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }}></style>
      </head>
      <body>
        <header>
          <h1>{props.heading}</h1>
          {props.subheading ? <p>{props.subheading}</p> : null}
        </header>
        <main class={props.wide ? "wide" : undefined}>{props.children}</main>
        {props.script ? <script src={props.script} defer></script> : null}
      </body>
    </html>
  );
}
