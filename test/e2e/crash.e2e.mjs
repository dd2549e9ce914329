// Crash safety with the local server: kill the `npm start` process group mid-load, restart it on the same state
// directory, retry every request with its idempotency key, and find nothing lost and nothing applied twice.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { createServer } from "node:http";
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

/**
 * Runs `unit(n)` for every n of `lanes` (each lane's numbers in turn, the lanes at once) and kills the server group
 * with SIGKILL once `after` units are done, while the load still runs. Answers what each lane came to.
 */
async function killMidLoad(server, lanes, after, unit) {
  let done = 0;
  let settled = false;
  const load = Promise.allSettled(
    lanes.map(async (numbers) => {
      for (const n of numbers) {
        await unit(n);
        done += 1;
      }
    }),
  ).finally(() => (settled = true));
  while (done < after && !settled) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(!settled, "the load was still running when the server was killed");
  await server.kill();
  return { outcome: await load, done };
}

/** `count` lanes, lane i taking the numbers from `start + i` up to (not including) `end`, `count` apart. */
const lanesOf = (count, start, end) => Array.from({ length: count }, (_, lane) => Array.from({ length: Math.ceil((end - start - lane) / count) }, (_, k) => start + lane + k * count));

test("kill -9 mid-load, restart on the same state, retry everything: each top-up once", async () => {
  const first = await startServer();
  let restarted;
  try {
    // Load with 6 tills at once; kill the server group while it is running.
    const { outcome, done } = await killMidLoad(first, lanesOf(6, 0, PAIRS), 15, (i) => pair(first, i));
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

/** The claims left running in the local D1 (its SQLite file under the state directory). */
async function runningClaims(stateDir) {
  const { DatabaseSync } = await import("node:sqlite");
  const { readdirSync } = await import("node:fs");
  const dir = `${stateDir}/v3/d1/miniflare-D1DatabaseObject`;
  let running = 0;
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".sqlite"))) {
    // Not read-only: a database left mid-write by a killed process is recovered from its journal first.
    const db = new DatabaseSync(`${dir}/${file}`);
    try {
      running += db.prepare("SELECT COUNT(*) AS n FROM idempotency_records WHERE state = 'running'").get().n;
    } catch {
      // another database of the state directory
    } finally {
      db.close();
    }
  }
  return running;
}

/** A Twilio-compatible provider on loopback: it holds every message unanswered until told to answer. */
async function provider() {
  const held = [];
  let answering = false;
  const server = createServer((request, response) => {
    request.resume();
    if (answering) return void response.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ sid: "SM1" }));
    held.push(response);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    env: { SMS_PROVIDER: "twilio", SMS_API_BASE: `http://127.0.0.1:${server.address().port}`, TWILIO_ACCOUNT_SID: "AC_e2e", TWILIO_AUTH_TOKEN: "e2e", TWILIO_FROM: "+15550000000" },
    held: () => held.length,
    answer() {
      answering = true;
      for (const response of held.splice(0)) response.destroy();
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

test("kill -9 during keyed requests: after the lease lapses every retry answers what happened, each change once", async () => {
  const LANES = 12;
  const sms = await provider();
  const first = await startServer({ env: sms.env });
  let restarted;
  try {
    // A sale paid with points at the demo store (which asks for an SMS code): its code's request will be mid-way,
    // waiting on the provider, when the server dies.
    const till = { authorization: `Bearer ${first.terminalKey}`, "content-type": "application/json" };
    const given = await fetch(`${first.base}/v1/operations`, { method: "POST", headers: { ...till, "idempotency-key": "points-in" }, body: JSON.stringify({ type: "manual_accrual", card: CARD, method: "points", amount: 500, reason: "crash test" }) }).then((r) => r.json());
    assert.equal((await fetch(`${first.base}/v1/operations/${given.id}/confirm`, { method: "POST", headers: till })).status, 200);
    const sale = await fetch(`${first.base}/v1/operations`, { method: "POST", headers: { ...till, "idempotency-key": "points-out" }, body: JSON.stringify({ type: "purchase", card: CARD, cheque: { number: "K-1", total: 300 }, payments: [{ method: "points", amount: 300 }] }) }).then((r) => r.json());
    assert.equal(sale.authorization.method, "sms_code");
    const askCode = (server) => fetch(`${server.base}/v1/operations/${sale.id}/sms-codes`, { method: "POST", headers: { authorization: `Bearer ${server.terminalKey}`, "idempotency-key": "code-1" } });
    const codeAsked = askCode(first).catch(() => null);
    while (sms.held() === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    const phone = (n) => `+614006${String(n).padStart(5, "0")}`;
    /** One unit of work, every request with its own key: a top-up held and confirmed, and a member enrolled. */
    async function unit(server, n) {
      const till = { authorization: `Bearer ${server.terminalKey}`, "content-type": "application/json" };
      const office = { authorization: `Bearer ${server.secretKey}`, "content-type": "application/json" };
      const created = await fetch(`${server.base}/v1/operations`, { method: "POST", headers: { ...till, "idempotency-key": `top-${n}` }, body: JSON.stringify({ type: "top_up", card: CARD, method: "credit", amount: 100 }) });
      const op = await created.json();
      const confirmed = await fetch(`${server.base}/v1/operations/${op.id}/confirm`, { method: "POST", headers: { ...till, "idempotency-key": `confirm-${n}` } });
      const enrolled = await fetch(`${server.base}/v1/members`, { method: "POST", headers: { ...office, "idempotency-key": `member-${n}` }, body: JSON.stringify({ name: `Burst ${n}`, phone: phone(n) }) });
      return { statuses: [created.status, confirmed.status, enrolled.status], texts: [await confirmed.text(), await enrolled.text()] };
    }
    // Twelve lanes at once; the server group is killed while they run. A kill that happened to land between requests
    // (no claim left running) is tried again on the same state, with new keys.
    const started = new Set();
    let leftRunning = 0;
    for (let round = 0; round < 3 && leftRunning < 2; round++) {
      const server = round === 0 ? first : await startServer({ stateDir: first.stateDir, port: first.port, env: sms.env });
      await killMidLoad(server, lanesOf(LANES, round * 1000, round * 1000 + 40 * LANES), 30, (n) => {
        started.add(n);
        return unit(server, n);
      });
      leftRunning = await runningClaims(first.stateDir);
    }
    assert.equal(await codeAsked, null, "the code's request died with the server");
    // At least the code's claim; others when the kill caught them mid-way (tried again up to three times).
    assert.ok(leftRunning >= 1, "the kill left claims of requests that died");

    sms.answer();
    restarted = await startServer({ stateDir: first.stateDir, port: first.port, env: sms.env });
    // Past the lease (30 s) of every claim the kill left behind, each unit begun is sent again, key for key.
    await new Promise((resolve) => setTimeout(resolve, 31_000));
    const units = [...started].sort((a, b) => a - b);
    const answers = [];
    for (const n of units) answers.push(await unit(restarted, n));
    assert.deepEqual(answers.map((a) => a.statuses), units.map(() => [201, 200, 201]), `every retry answered (${leftRunning} claims were left running)`);
    // Each answer is now kept: asked again, the same bytes.
    for (const [i, n] of units.entries()) assert.deepEqual((await unit(restarted, n)).texts, answers[i].texts);
    // Each change once: one member per phone, each top-up confirmed once.
    for (const n of units) {
      const found = await fetch(`${restarted.base}/v1/members?query=${encodeURIComponent(phone(n))}`, { headers: { authorization: `Bearer ${restarted.secretKey}` } }).then((r) => r.json());
      assert.equal(found.data.length, 1, `one member with ${phone(n)}`);
    }
    const member = await fetch(`${restarted.base}/v1/members/${restarted.memberId}`, { headers: { authorization: `Bearer ${restarted.secretKey}` } }).then((r) => r.json());
    assert.deepEqual(member.balances.credit, { balance: 15000 + units.length * 100, available: 15000 + units.length * 100 });
    // The code's request, taken over: the code is sent now, once; asked again, the same answer.
    const code = await askCode(restarted);
    assert.equal(code.status, 201);
    const codeText = await code.text();
    assert.match(codeText, /"sent_to":"\+61••••••678"/);
    assert.equal(await (await askCode(restarted)).text(), codeText);
    assert.equal(await runningClaims(restarted.stateDir), 0);
  } finally {
    await sms.close();
    if (restarted) restarted.stop();
    else {
      await first.kill();
      rmSync(first.stateDir, { recursive: true, force: true });
    }
  }
});
