// Crash safety with the local server: kill the `npm start` process group mid-load, restart it on the same state
// directory, retry every request with its idempotency key, and find nothing lost and nothing applied twice.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { startServer } from "./server.mjs";

const PAIRS = 60;
const CARD = "6001000000000001";

async function pair(server, i) {
  const headers = { authorization: `Bearer ${server.terminalKey}`, "content-type": "application/json" };
  const created = await fetch(`${server.base}/v1/operations`, {
    method: "POST",
    headers: { ...headers, "idempotency-key": `crash-${i}` },
    body: JSON.stringify({ type: "top_up", card: CARD, method: "credit", amount: 100 }),
  });
  const op = await created.json();
  if (created.status !== 201) throw new Error(`create ${i}: ${created.status} ${JSON.stringify(op)}`);
  const confirmed = await fetch(`${server.base}/v1/operations/${op.id}/confirm`, { method: "POST", headers });
  if (confirmed.status !== 200) throw new Error(`confirm ${i}: ${confirmed.status}`);
  return op.id;
}

test("kill -9 mid-load, restart on the same state, retry everything: each top-up once", async () => {
  const first = await startServer();
  let restarted;
  try {
    // Load with 6 tills at once; kill the server group while it is running.
    let done = 0;
    let settled = false;
    const load = Promise.allSettled(
      Array.from({ length: 6 }, async (_, lane) => {
        for (let i = lane; i < PAIRS; i += 6) {
          await pair(first, i);
          done += 1;
        }
      }),
    ).finally(() => (settled = true));
    while (done < 15 && !settled) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(!settled, "the load was still running when the server was killed");
    await first.kill();
    const outcome = await load;
    assert.ok(outcome.some((lane) => lane.status === "rejected"), "the kill interrupted the load");
    assert.ok(done < PAIRS, `the kill came mid-load (${done} of ${PAIRS} pairs done)`);

    restarted = await startServer({ stateDir: first.stateDir, port: first.port });
    const ids = [];
    for (let i = 0; i < PAIRS; i++) ids.push(await pair(restarted, i));
    assert.equal(new Set(ids).size, PAIRS);

    const member = await fetch(`${restarted.base}/v1/members/${restarted.memberId}`, { headers: { authorization: `Bearer ${restarted.secretKey}` } }).then((r) => r.json());
    assert.deepEqual(member.balances.credit, { balance: 15000 + PAIRS * 100, available: 15000 + PAIRS * 100 });

    // D1 history ends equal to the journal: the seed's top-up and one entry per top-up here, none twice.
    let history = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      history = [];
      let cursor = null;
      do {
        const page = await fetch(`${restarted.base}/v1/members/${restarted.memberId}/history?limit=100${cursor ? `&cursor=${cursor}` : ""}`, {
          headers: { authorization: `Bearer ${restarted.secretKey}` },
        }).then((r) => r.json());
        history.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor);
      if (history.length >= PAIRS + 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(history.length, PAIRS + 1);
    assert.equal(new Set(history.map((e) => e.operation_id)).size, PAIRS + 1);
    assert.equal(history[0].balance_after, 15000 + PAIRS * 100);
  } finally {
    if (restarted) restarted.stop();
    else {
      await first.kill();
      rmSync(first.stateDir, { recursive: true, force: true });
    }
  }
});
