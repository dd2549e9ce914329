// A console page's live alerts socket, as a real WebSocket client holds it against `npm start`: a staff session that
// ends (signed out, its password changed from another session) closes it, and nothing more reaches it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startServer } from "./server.mjs";

let server;
before(async () => (server = await startServer()));
after(() => server?.stop());

/** Signs the demo owner in: the session cookie. */
async function signIn() {
  const reply = await fetch(`${server.base}/v1/staff-sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.base },
    body: JSON.stringify({ email: server.owner.email, password: server.owner.password }),
  });
  assert.equal(reply.status, 200);
  return reply.headers.get("set-cookie").split(";")[0];
}

/** The console's live alerts socket of a session; its messages, and when and how it closed. */
async function liveAlerts(cookie) {
  const socket = new WebSocket(`${server.base.replace("http", "ws")}/v1/alerts/live`, { headers: { cookie, origin: server.base } });
  const messages = [];
  socket.addEventListener("message", (event) => messages.push(String(event.data)));
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  // Closed by the server: its close frame came (the client is closing or closed; the TCP end may come later).
  const closed = (async () => {
    while (socket.readyState === WebSocket.OPEN) await new Promise((resolve) => setTimeout(resolve, 5));
    return { at: Date.now() };
  })();
  return { socket, messages, closed };
}

const within = (promise, ms) => Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(null), ms))]);

test("signing out closes that session's console socket at once; other sessions' stay open", async () => {
  const [mine, other] = [await signIn(), await signIn()];
  const [page, otherPage] = [await liveAlerts(mine), await liveAlerts(other)];
  const asked = Date.now();
  const out = await fetch(`${server.base}/v1/staff-sessions/current`, { method: "DELETE", headers: { cookie: mine, origin: server.base } });
  assert.equal(out.status, 204);
  const closed = await within(page.closed, 5_000);
  assert.ok(closed, "the signed-out page's socket was closed by the server");
  console.log(`closed ${closed.at - asked} ms after the sign-out was sent`);
  assert.equal(await within(otherPage.closed, 300), null, "another session's page stays open");
  assert.deepEqual(page.messages, []);
  otherPage.socket.close();
});

test("a password changed in one session closes the console sockets of the others, not its own", async () => {
  const [changer, elsewhere] = [await signIn(), await signIn()];
  const [own, away] = [await liveAlerts(changer), await liveAlerts(elsewhere)];
  const changed = await fetch(`${server.base}/v1/staff/me/password`, {
    method: "POST",
    headers: { cookie: changer, origin: server.base, "content-type": "application/json" },
    body: JSON.stringify({ current: server.owner.password, new: `${server.owner.password}-and-more` }),
  });
  assert.equal(changed.status, 200);
  assert.ok(await within(away.closed, 5_000), "the other session's page was closed by the server");
  assert.equal(await within(own.closed, 300), null, "the changer's own page stays open");
  // The ended session's API calls are refused as well.
  assert.equal((await fetch(`${server.base}/v1/alerts`, { headers: { cookie: elsewhere } })).status, 401);
  own.socket.close();
});
