/**
 * `npm run bench:cost` (bench/cost.mjs runs this file in workerd through bench/cost.config.ts): what one purchase —
 * a create and a confirm of a credit payment with its points accrual — costs in Cloudflare's billable units, counted
 * by the runtime (bench/meter.ts). The meter keeps each alarm, and the scenarios ring them. What a confirm writes
 * ships at once, one shipment at a time per account (account-alarm.ts), so only `hot` depends on this machine's
 * speed: how many pairs ride each shipment (±0.1 $ between runs).
 *
 * - hot:           PAIRS pairs on one account, back to back (a busy account: pairs ride a shipment on its way);
 * - spread:        one pair on each of PAIRS accounts, each shipped on its own;
 * - confirm_later: the same, but the till confirms after the create has shipped (seconds later);
 * - plain_d1:      the plain-D1 peer (bench/plain-d1.ts) doing the same pairs with Tillsafe's contract: key,
 *                  both journal entries, both balances, the list indexes, the key purge (no event log, no webhooks).
 * Each case includes what the pair costs later: the purge of its Idempotency-Key records after 3 days, and of its
 * events after 31 to 41 (their generation's table dropped whole).
 */
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, inject, test } from "vitest";
import { AnswerStorage } from "../src/accounts/answer-storage";
import { forgetOldLogs } from "../src/db/events";
import { tablesFrom } from "../src/db/record-tables";
import { KEY_RETENTION_MS } from "../src/lib/ids";
import { KeyClaims } from "../src/stores/key-claims";
import { MAX_ATTEMPTS } from "../src/webhooks/webhook-do";
import * as meter from "./meter";
import { tenantShards } from "../src/shards/tenant-shards";
import type { AccountDO } from "../src/accounts/account-do";
import type { StoreDO } from "../src/stores/store-do";
import type { TenantDO } from "../src/tenants/tenant-do";

const PAIRS = 50;
const PLATFORM = "test-platform-token";
/** When every event of the run is past the log's 30 days and its generation's table has gone (41 days at most). */
const LATER = Date.now() + 42 * 86_400_000;

let keys = 0;
const nextKey = () => `cost-${++keys}`;

async function call(method: string, path: string, options: { token: string; body?: unknown; key?: string }) {
  meter.countWorkerRequest();
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.key) headers["idempotency-key"] = options.key;
  const response = await exports.default.fetch(
    new Request(`https://tillsafe.test${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) }),
  );
  return { status: response.status, body: (await response.json()) as any };
}

/** The plain-D1 peer's own routes (bench/plain-d1.ts): no credential, a JSON body. */
async function bare(path: string, body: object) {
  const response = await exports.default.fetch(new Request(`https://tillsafe.test${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
  return (await response.json()) as any;
}

const purchase = (card: string) => ({
  type: "purchase",
  card,
  cheque: { number: "B-1", total: 1000 },
  payments: [{ method: "credit", amount: 1000 }],
  accrue_points: true,
});

interface Shop {
  tenantId: string;
  storeId: string;
  secret: string;
  terminal: string;
  members: { id: string; card: string }[];
}

async function shop(members: number): Promise<Shop> {
  const tenant = await call("POST", "/v1/tenants", { token: PLATFORM, body: { name: "Cost", currency: "USD", timezone: "UTC" } });
  const secret = tenant.body.secret_key as string;
  const store = await call("POST", "/v1/stores", { token: secret, body: { name: "Cost store" } });
  const register = await call("POST", `/v1/stores/${store.body.id}/registers`, { token: secret, body: { name: "Till" } });
  const terminal = register.body.terminal_key as string;
  const made: Shop["members"] = [];
  for (let i = 0; i < members; i++) {
    const member = await call("POST", "/v1/members", { token: secret, body: { name: `Member ${i}`, phone: "+61400000000" } });
    const card = `7000${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}${String(i).padStart(4, "0")}`;
    await call("POST", `/v1/members/${member.body.id}/cards`, { token: secret, body: { number: card } });
    const topUp = await call("POST", "/v1/operations", { token: terminal, key: nextKey(), body: { type: "top_up", card, method: "credit", amount: 1_000_000 } });
    await call("POST", `/v1/operations/${topUp.body.id}/confirm`, { token: terminal });
    made.push({ id: member.body.id, card });
  }
  const result = { tenantId: tenant.body.tenant.id as string, storeId: store.body.id as string, secret, terminal, members: made };
  await ship(result);
  // What the setup leaves for the purges goes now, so that a case's purge counts its own pairs only.
  await purge(result);
  return result;
}

const accountStub = (s: Shop, memberId: string) => meter.unmetered(env.ACCOUNTS, `${s.tenantId}:${memberId}`) as DurableObjectStub<AccountDO>;
const storeStub = (s: Shop) => meter.unmetered(env.STORES, `${s.tenantId}:${s.storeId}`) as DurableObjectStub<StoreDO>;
const tenantStub = (s: Shop) => meter.unmetered(env.TENANTS, s.tenantId) as DurableObjectStub<TenantDO>;

/**
 * Rings an object's alarm if it is due within the next 15 seconds, the time the scenarios stand for (an alarm is one
 * Durable Object request); a hold's expiry, 15 minutes on, is not.
 */
async function ring(stub: DurableObjectStub<AccountDO> | DurableObjectStub<StoreDO> | DurableObjectStub<TenantDO>): Promise<void> {
  await runInDurableObject(stub as DurableObjectStub<AccountDO>, async (instance, state) => {
    const at = meter.alarmOf(state);
    if (at === null || at > Date.now() + 15_000) return;
    meter.clearAlarm(state);
    meter.countDoRequest();
    await instance.alarm();
  });
}

/** Rings every alarm of the shop's objects (the accounts at once, as their alarms would) until none is due. */
async function ship(s: Shop, members = s.members): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await Promise.all(members.map((m) => ring(accountStub(s, m.id))));
    await ring(storeStub(s));
    await ring(tenantStub(s));
  }
}

/** The purges that come after retention: idempotency answers and key claims (3 days), events (31 to 41 days). */
async function purge(s: Shop): Promise<void> {
  const before = Date.now() + KEY_RETENTION_MS + 1;
  for (const m of s.members) await runInDurableObject(accountStub(s, m.id), (_, state) => new AnswerStorage(state.storage.sql).forgetBefore(before));
  await runInDurableObject(storeStub(s), (_, state) => new KeyClaims(state.storage.sql).forgetBefore(before));
  for (const shard of (await tenantShards(env, s.tenantId)).all) await forgetOldLogs(shard.d1, s.tenantId, MAX_ATTEMPTS, LATER);
}

async function create(s: Shop, card: string): Promise<string> {
  const created = await call("POST", "/v1/operations", { token: s.terminal, key: nextKey(), body: purchase(card) });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function confirm(s: Shop, id: string): Promise<void> {
  const confirmed = await call("POST", `/v1/operations/${id}/confirm`, { token: s.terminal });
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.status).toBe("confirmed");
}

/** Checks that every pair did what it costs: 2 journal entries each, history = journal, balances exact. */
async function expectDone(s: Shop, pairsPerMember: number): Promise<void> {
  for (const m of s.members) {
    const audit = await runInDurableObject(accountStub(s, m.id), (instance) => instance.audit());
    expect(audit.outboxSize).toBe(0);
    expect(audit.balances.credit).toBe(1_000_000 - 1000 * pairsPerMember);
    expect(audit.balances.points).toBe(10 * pairsPerMember);
  }
  const [home] = (await tenantShards(env, s.tenantId)).all;
  const tables = await tablesFrom(home.d1, "history", new Date(0).toISOString());
  const rows = await home.d1.prepare(`SELECT SUM(n) AS n FROM (${tables.map((table) => `SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?1`).join(" UNION ALL ")})`).bind(s.tenantId).first<{ n: number }>();
  // One history row per settlement: the top-up's, and each purchase's (its payment and accrual share it).
  expect(rows?.n).toBe(s.members.length * (1 + pairsPerMember));
}

const perPair = (u: meter.Units, pairs: number, name = "") => {
  if (name && inject("costTrace")) {
    for (const [query, rows] of [...meter.trace].sort((a, b) => b[1] - a[1])) console.log(`COST_TRACE ${name} ${(rows / pairs).toFixed(2)} ${query.replace(/\s+/g, " ").slice(0, 150)}`);
    meter.trace.clear();
  }
  const per = Object.fromEntries(Object.entries(u).map(([k, v]) => [k, Math.round((v / pairs) * 100) / 100])) as unknown as meter.Units;
  return { ...per, dollars_per_million: Math.round(meter.dollarsPerMillion(u) / pairs * 10) / 10 };
};

const results: Record<string, ReturnType<typeof perPair>> = {};

test("cost per purchase", { timeout: 110_000 }, async () => {
  await runInDurableObject(meter.unmetered(env.ACCOUNTS, "meter"), (_, state) => meter.install(state));

  // hot: PAIRS pairs on one account, shipped together.
  const hot = await shop(1);
  meter.take();
  meter.trace.clear();
  for (let i = 0; i < PAIRS; i++) await confirm(hot, await create(hot, hot.members[0].card));
  await ship(hot);
  await purge(hot);
  results.hot = perPair(meter.take(), PAIRS, "hot");
  await expectDone(hot, PAIRS);

  // spread: one pair on each of PAIRS accounts.
  const spread = await shop(PAIRS);
  meter.take();
  meter.trace.clear();
  for (const m of spread.members) await confirm(spread, await create(spread, m.card));
  await ship(spread);
  await purge(spread);
  results.spread = perPair(meter.take(), PAIRS, "spread");
  await expectDone(spread, 1);

  // confirm_later: the create ships before its confirm comes.
  const later = await shop(PAIRS);
  meter.take();
  meter.trace.clear();
  const ids: string[] = [];
  for (const m of later.members) ids.push(await create(later, m.card));
  await ship(later);
  for (const id of ids) await confirm(later, id);
  await ship(later);
  await purge(later);
  results.confirm_later = perPair(meter.take(), PAIRS, "confirm_later");
  await expectDone(later, 1);

  // plain_d1: the peer's same pairs on PAIRS accounts, with its key purge (it has no event log to keep).
  const peer = await shop(0);
  const peerCards = Array.from({ length: PAIRS }, (_, i) => `8100000000${String(i).padStart(6, "0")}`);
  for (const card of peerCards) await bare("/bench/d1/open", { account: card, balance: 1_000_000 });
  meter.take();
  meter.trace.clear();
  for (const card of peerCards) {
    const created = await call("POST", "/bench/d1/operations", { token: peer.terminal, key: nextKey(), body: purchase(card) });
    expect(created.status).toBe(201);
    const confirmed = await call("POST", `/bench/d1/operations/${created.body.id}/confirm`, { token: peer.terminal });
    expect(confirmed.status).toBe(200);
  }
  meter.countWorkerRequest();
  await bare("/bench/d1/purge", { account: "", before: Date.now() + KEY_RETENTION_MS + 1 });
  const peerUnits = meter.take();
  peerUnits.worker_requests -= 1; // the purge runs inside a request that is there anyway (a scheduled clean-up)
  results.plain_d1 = perPair(peerUnits, PAIRS, "plain_d1");
  expect(await bare("/bench/d1/account", { account: peerCards[0] })).toEqual({ balance: 999_000, held: 0, points: 10, entries: 2 });

  console.log(`COST_RESULT ${JSON.stringify(results)}`);
});
