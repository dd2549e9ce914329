// What a security team and an integrator wait for, against `npm start` with a real webhook listener on 127.0.0.1:
// an alert, an operation's events and their webhooks arrive at once (not behind a create's 10 s batching), and a
// cancelled hold gives its place in a store's limit back before the cancel answers. `npm run bench` measures the
// latencies (about 0.1 s here); the bound below is the p99 (2 s), far inside the batching of old (10 s).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { startServer } from "./server.mjs";

/** Within this of the request, or it waited behind something (a create's batching is 10 s). */
const SOON_MS = 2_000;
const CARD = "6001000000000001";

let server;
let listener;
/** Webhook deliveries received: the event, when it came, and whether its signature verified. */
const received = [];
let secret;

before(async () => {
  server = await startServer();
  listener = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      // A delivery may come before the test has read the secret: it is checked when the test looks at it.
      received.push({ event: JSON.parse(body), body, headers: request.headers, at: Date.now() });
      response.writeHead(200).end();
    });
  });
  await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const endpoint = await call("secret", "POST", "/v1/webhook-endpoints", {
    url: `http://127.0.0.1:${listener.address().port}/hook`,
    events: ["alert.raised", "operation.created", "operation.confirmed", "operation.cancelled"],
  });
  assert.equal(endpoint.status, 201);
  secret = endpoint.body.secret;
});
after(() => {
  listener?.close();
  server?.stop();
});

async function call(who, method, path, body, key) {
  const headers = { authorization: `Bearer ${who === "secret" ? server.secretKey : server.terminalKey}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (key) headers["idempotency-key"] = key;
  const response = await fetch(`${server.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** The first delivery that `match` picks, its signature checked with the endpoint's secret. */
function delivery(match) {
  const found = received.find(({ event }) => match(event));
  if (found) assert.deepEqual(new Webhook(secret).verify(found.body, found.headers), found.event);
  return found;
}

/** Polls `read` every 25 ms until it gives a value, up to `ms`: the value and when it came, or null. */
async function soon(read, ms = SOON_MS) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await read();
    if (value) return { value, at: Date.now() };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return null;
}

const eventsOf = async (operationId) =>
  (await call("secret", "GET", "/v1/events?limit=100")).body.data.filter((event) => event.data.operation?.id === operationId);

test("a top-up's confirmed event is listed and reaches the webhook at once, with its created event before it", async () => {
  const created = await call("terminal", "POST", "/v1/operations", { type: "top_up", card: CARD, method: "credit", amount: 500 }, "live-top-up");
  assert.equal(created.status, 201);
  const confirmed = await call("terminal", "POST", `/v1/operations/${created.body.id}/confirm`);
  assert.equal(confirmed.status, 200);
  const answeredAt = Date.now();

  const listed = await soon(async () => {
    const events = await eventsOf(created.body.id);
    return events.some((event) => event.type === "operation.confirmed") ? events : null;
  });
  assert.ok(listed, `operation.confirmed was listed within ${SOON_MS} ms of the confirm`);
  // Newest first: the confirm, then the create it shipped with.
  assert.deepEqual(listed.value.map((event) => event.type), ["operation.confirmed", "operation.created"]);
  const delivered = await soon(async () => delivery((event) => event.type === "operation.confirmed" && event.data.operation.id === created.body.id));
  assert.ok(delivered, `the webhook got operation.confirmed within ${SOON_MS} ms of the confirm`);
  const createdDelivery = delivery((event) => event.type === "operation.created" && event.data.operation.id === created.body.id);
  assert.ok(createdDelivery, "operation.created was delivered no later than the confirm it shipped with");
  console.log(`confirm → listed ${listed.at - answeredAt} ms, → webhook ${delivered.value.at - answeredAt} ms`);
});

test("a card's soft limit crossed by a hold raises its alert at once: listed and sent to the webhook", async () => {
  const limit = await call("secret", "POST", "/v1/limits", { scope: "card", scope_id: null, metric: "deducted_amount", method: "credit", period: "day", soft: { lower: 3000, upper: 100000 } });
  assert.equal(limit.status, 201);
  const hold = await call("terminal", "POST", "/v1/operations", { type: "purchase", card: CARD, cheque: { number: "L-1", total: 4000 }, payments: [{ method: "credit", amount: 4000 }] }, "live-soft-1");
  assert.equal(hold.status, 201);
  const answeredAt = Date.now();

  const listed = await soon(async () => (await call("secret", "GET", "/v1/alerts")).body.data.find((alert) => alert.operation_id === hold.body.id));
  assert.ok(listed, `the alert was listed within ${SOON_MS} ms of the hold`);
  assert.equal(listed.value.type, "limit.soft_crossed");
  assert.equal(listed.value.limit_id, limit.body.id);
  assert.equal(listed.value.bound, 3000);
  assert.equal(listed.value.value, 4000);
  const sent = await soon(async () => delivery((event) => event.type === "alert.raised" && event.data.alert.operation_id === hold.body.id));
  assert.ok(sent, `the alert's webhook came within ${SOON_MS} ms of the hold`);
  console.log(`hold → alert listed ${listed.at - answeredAt} ms, → webhook ${sent.value.at - answeredAt} ms`);

  assert.equal((await call("terminal", "POST", `/v1/operations/${hold.body.id}/cancel`)).status, 200);
  assert.equal((await call("secret", "DELETE", `/v1/limits/${limit.body.id}`)).status, 200);
});

test("two holds cancelled free the store's purchase count at once: a third hold is not refused", async () => {
  const limit = await call("secret", "POST", "/v1/limits", { scope: "store", scope_id: null, metric: "purchase_count", period: "day", hard: 2 });
  assert.equal(limit.status, 201);
  const purchase = (i) => ({ type: "purchase", card: CARD, cheque: { number: `S-${i}`, total: 100 }, payments: [{ method: "credit", amount: 100 }] });
  const holds = [];
  for (const i of [1, 2]) {
    const hold = await call("terminal", "POST", "/v1/operations", purchase(i), `live-store-${i}`);
    assert.equal(hold.status, 201);
    holds.push(hold.body.id);
  }
  const refused = await call("terminal", "POST", "/v1/operations", purchase(3), "live-store-3");
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, "limit_exceeded");
  for (const id of holds) assert.equal((await call("terminal", "POST", `/v1/operations/${id}/cancel`)).status, 200);
  const third = await call("terminal", "POST", "/v1/operations", purchase(4), "live-store-4");
  assert.equal(third.status, 201, JSON.stringify(third.body));
  assert.equal((await call("terminal", "POST", `/v1/operations/${third.body.id}/cancel`)).status, 200);
  assert.equal((await call("secret", "DELETE", `/v1/limits/${limit.body.id}`)).status, 200);
});
