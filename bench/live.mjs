// `npm run bench`, (6) live: how soon what people wait for arrives, measured in the same run as the throughput and
// while a background load of create + confirm pairs runs on other accounts:
//   hold → alert          a hold crossing a card's soft limit, from the request sent to the alert on an open console
//                         page's live socket (pushed once the alert is in D1, so GET /v1/alerts lists it too)
//   confirm → event       a confirm, from the request sent to its operation.confirmed listed by GET /v1/events
//   confirm → webhook     the same, to the delivery received by a webhook listener on 127.0.0.1
//   sign-out → closed     DELETE /v1/staff-sessions/current, from the request sent to that session's console socket
//                         closed by the server
// Each as p50/p99 over SAMPLES samples.
import { createServer } from "node:http";

const SAMPLES = Number(process.env.BENCH_LIVE_SAMPLES ?? 100);
const CARD = "7100000000000001";

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const summary = (values) => ({ p50_ms: Math.round(percentile(values, 50) * 10) / 10, p99_ms: Math.round(percentile(values, 99) * 10) / 10, samples: values.length });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for the first value `arrived` resolves with `match` true, by the time it came. */
function waiter() {
  const waiting = [];
  return {
    seen(value) {
      const at = performance.now();
      for (const w of waiting.splice(0)) if (!w.match(value)) waiting.push(w); else w.resolve(at);
    },
    until(match, ms = 15_000) {
      return new Promise((resolve, reject) => {
        waiting.push({ match, resolve });
        setTimeout(() => reject(new Error("nothing came within 15 s")), ms).unref();
      });
    },
  };
}

async function socketOf(base, cookie) {
  const socket = new WebSocket(`${base.replace("http", "ws")}/v1/alerts/live`, { headers: { cookie, origin: base } });
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  return socket;
}

/** `call(base, method, path, options)` as bench/run.mjs has it; `background()` starts the load and gives its stop. */
export async function liveLatencies(base, call, nextKey, background) {
  const email = `owner-${process.pid}@bench.test`;
  const password = "bench password 1";
  const signup = await call(base, "POST", "/v1/signup", { body: { business_name: "Bench live", currency: "USD", timezone: "UTC", email, password }, headers: { origin: base } });
  if (signup.status !== 201 && signup.status !== 200) throw new Error(`signup ${signup.status} ${JSON.stringify(signup.body)}`);
  const owner = signup.headers.get("set-cookie").split(";")[0];
  const asOwner = (method, path, body) => call(base, method, path, { body, headers: { cookie: owner, origin: base } });
  const key = await asOwner("POST", "/v1/secret-keys", {});
  const sk = key.body.secret_key;
  const store = await call(base, "POST", "/v1/stores", { token: sk, body: { name: "Live store" } });
  const register = await call(base, "POST", `/v1/stores/${store.body.id}/registers`, { token: sk, body: { name: "Live till" } });
  const tk = register.body.terminal_key;
  const member = await call(base, "POST", "/v1/members", { token: sk, body: { name: "Live member", phone: "+61400000000" } });
  await call(base, "POST", `/v1/members/${member.body.id}/cards`, { token: sk, body: { number: CARD } });
  const topUp = await call(base, "POST", "/v1/operations", { token: tk, key: nextKey(), body: { type: "top_up", card: CARD, method: "credit", amount: 1_000_000 } });
  await call(base, "POST", `/v1/operations/${topUp.body.id}/confirm`, { token: tk });
  // Every hold of credit crosses this soft limit: one alert per operation.
  const limit = await call(base, "POST", "/v1/limits", { token: sk, body: { scope: "card", scope_id: null, metric: "deducted_amount", method: "credit", period: "operation", soft: { lower: 0, upper: 1_000_000 } } });
  if (limit.status !== 201) throw new Error(`limit ${limit.status}`);

  const hooks = waiter();
  const listener = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      hooks.seen(JSON.parse(body));
      response.writeHead(200).end();
    });
  });
  await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const endpoint = await call(base, "POST", "/v1/webhook-endpoints", { token: sk, body: { url: `http://127.0.0.1:${listener.address().port}/hook`, events: ["operation.confirmed"] } });
  if (endpoint.status !== 201) throw new Error(`endpoint ${endpoint.status}`);
  const consoleAlerts = waiter();
  const console = await socketOf(base, owner);
  console.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "alerts") for (const alert of message.alerts) consoleAlerts.seen(alert);
  });

  const stop = background();
  const rows = { hold_to_alert: [], confirm_to_event: [], confirm_to_webhook: [], signout_to_closed: [] };
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const holdSent = performance.now();
      const created = await call(base, "POST", "/v1/operations", { token: tk, key: nextKey(), body: { type: "purchase", card: CARD, cheque: { number: "L", total: 1 }, payments: [{ method: "credit", amount: 1 }] } });
      if (created.status !== 201) throw new Error(`hold ${created.status}`);
      const id = created.body.id;
      rows.hold_to_alert.push((await consoleAlerts.until((alert) => alert.operation_id === id)) - holdSent);

      const hooked = hooks.until((event) => event.type === "operation.confirmed" && event.data.operation.id === id);
      const confirmSent = performance.now();
      const confirmed = await call(base, "POST", `/v1/operations/${id}/confirm`, { token: tk });
      if (confirmed.status !== 200) throw new Error(`confirm ${confirmed.status}`);
      for (;;) {
        const events = await call(base, "GET", "/v1/events?type=operation.confirmed&limit=1", { token: sk });
        if (events.body.data[0]?.data.operation.id === id) break;
        await sleep(5);
      }
      rows.confirm_to_event.push(performance.now() - confirmSent);
      rows.confirm_to_webhook.push((await hooked) - confirmSent);
    }
    for (let i = 0; i < SAMPLES; i++) {
      const session = await call(base, "POST", "/v1/staff-sessions", { body: { email, password }, headers: { origin: base } });
      if (session.status !== 200) throw new Error(`sign-in ${session.status}`);
      const cookie = session.headers.get("set-cookie").split(";")[0];
      const page = await socketOf(base, cookie);
      const sent = performance.now();
      const out = await call(base, "DELETE", "/v1/staff-sessions/current", { headers: { cookie, origin: base } });
      if (out.status !== 204) throw new Error(`sign-out ${out.status}`);
      // The server's close frame moves the socket out of OPEN (the TCP end may come later).
      while (page.readyState === WebSocket.OPEN) await sleep(1);
      rows.signout_to_closed.push(performance.now() - sent);
    }
  } finally {
    await stop();
    console.close();
    listener.close();
  }
  return Object.fromEntries(Object.entries(rows).map(([name, values]) => [name, summary(values)]));
}
