/** Test helpers: HTTP through the Worker's own fetch handler, and a fresh tenant with a till and a member. */
import { createStaffSession } from "../src/auth/staff-sessions";
import { exports } from "cloudflare:workers";
import { checkAgainstContract, checkSocketMessage } from "./contract";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect, vi } from "vitest";

import type { AccountDO } from "../src/accounts/account-do";
import type { StoreDO } from "../src/stores/store-do";
import type { TenantDO } from "../src/tenants/tenant-do";
import { type HistoryWriterDO } from "../src/history/history-writer-do";
import { accountOf, historyWriterOf } from "../src/objects";
import { acrossShards, tenantShards, type TenantShards } from "../src/shards/tenant-shards";
import { historyLines } from "../src/db/history";
import { BEFORE, recordGenerations, recordTable, type RecordKind } from "../src/db/record-tables";

export const PLATFORM = "test-platform-token";

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = any>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const response = await exports.default.fetch(new Request(`https://tillsafe.test${path}`, { method, headers, body, redirect: "manual" }));
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  checkAgainstContract(method, path, response.status, parsed, response.headers.get("content-type"));
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** Asserts the one error shape of API.md with the given status and code. */
export function expectError(reply: Reply, status: number, code: string) {
  expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status, code });
  expect(typeof reply.body.error.message).toBe("string");
  expect(typeof reply.body.error.details).toBe("object");
}

let counter = 0;
export function uniqueCard(): string {
  counter += 1;
  return `6001${String(Date.now() % 1e8).padStart(8, "0")}${String(counter).padStart(4, "0")}`;
}

export interface Shop {
  tenantId: string;
  secret: string;
  storeId: string;
  registerId: string;
  terminal: string;
  memberId: string;
  card: string;
}

/** A tenant with a store, a register and a member with a card; `livemode: false` makes a test tenant. */
export async function createShop(options: { currency?: string; sms?: boolean; livemode?: boolean; phone?: string } = {}): Promise<Shop> {
  const tenant = await api("POST", "/v1/tenants", {
    token: PLATFORM,
    body: { name: "Cafe Aroma", currency: options.currency ?? "USD", timezone: "Australia/Sydney", ...(options.livemode === undefined ? {} : { livemode: options.livemode }) },
  });
  expect(tenant.status).toBe(201);
  const secret = tenant.body.secret_key as string;
  const store = await api("POST", "/v1/stores", { token: secret, body: { name: "Main St", sms_confirm_points_deduction: options.sms ?? false } });
  expect(store.status).toBe(201);
  const register = await api("POST", `/v1/stores/${store.body.id}/registers`, { token: secret, body: { name: "Till 1" } });
  expect(register.status).toBe(201);
  const member = await api("POST", "/v1/members", { token: secret, body: { name: "Nicola", phone: options.phone ?? "+61412345678" } });
  expect(member.status).toBe(201);
  const card = uniqueCard();
  const issued = await api("POST", `/v1/members/${member.body.id}/cards`, { token: secret, body: { number: card } });
  expect(issued.status).toBe(201);
  return {
    tenantId: tenant.body.tenant.id,
    secret,
    storeId: store.body.id,
    registerId: register.body.register.id,
    terminal: register.body.terminal_key,
    memberId: member.body.id,
    card,
  };
}

let keyCounter = 0;
export function idemKey(): string {
  keyCounter += 1;
  return `key-${Date.now()}-${keyCounter}-${Math.random().toString(36).slice(2)}`;
}

export async function createOperation(shop: Shop, body: unknown, key = idemKey(), token = shop.terminal) {
  return api("POST", "/v1/operations", { token, body, headers: { "idempotency-key": key } });
}

/** Tops up credit (create + confirm) and returns the confirmed operation. */
export async function topUp(shop: Shop, amount: number, method: "credit" | "cashback" | "points" = "credit") {
  const body =
    method === "credit"
      ? { type: "top_up", card: shop.card, method, amount }
      : { type: "manual_accrual", card: shop.card, method, amount, reason: "test funds" };
  const created = await createOperation(shop, body);
  expect(created.status).toBe(201);
  const confirmed = await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal });
  expect(confirmed.status).toBe(200);
  return confirmed.body;
}

/** The real D1 with its `batch` replaced (to count, fail or hang), everything else as it is. */
export function d1WithBatch(batch: (statements: D1PreparedStatement[], real: D1Database) => Promise<D1Result[]>, d1: D1Database = env.DB): D1Database {
  return new Proxy(d1, {
    get(target, property) {
      if (property === "batch") return (statements: D1PreparedStatement[]) => batch(statements, target);
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The D1 shard a tenant's rows are on (a tenant of the tests has one epoch of one shard). */
export async function shardOf(tenantId: string): Promise<D1Database> {
  return (await tenantShards(env, tenantId)).all[0].d1;
}

/** One D1 database as a tenant's only shard (for a test of queries on a database of its own). */
export const shardsOver = (d1: D1Database, tenantId: string): TenantShards => ({
  tenantId,
  placement: [{ starts_at: "", shards: ["own"] }],
  all: [{ id: "own", d1 }],
  livemode: true,
  retentionDays: 90,
});

/** The binding of a tenant's shard (`SHARD_2`), to hand a history writer a stand-in for it. */
export async function shardBindingOf(tenantId: string): Promise<`SHARD_${number}`> {
  return `SHARD_${(await tenantShards(env, tenantId)).all[0].id.slice("shard-".length)}` as `SHARD_${number}`;
}

/** Makes the tenant's shard's history writer reach its shard through `db` (a failing or dying stand-in), or the real one again. */
export async function writerUsesDb(shop: Shop, db?: unknown) {
  const binding = await shardBindingOf(shop.tenantId);
  const shard = (await tenantShards(env, shop.tenantId)).all[0].id;
  await runInDurableObject(historyWriterOf(env, shop.tenantId, shard), (instance: HistoryWriterDO) => {
    (instance as unknown as { env: unknown }).env = { ...env, [binding]: db ?? env[binding] };
  });
}

export function account(shop: Shop, memberId = shop.memberId) {
  return accountOf(env, { tenant_id: shop.tenantId, member_id: memberId });
}

export async function balances(shop: Shop) {
  const member = await api("GET", `/v1/members/${shop.memberId}`, { token: shop.secret });
  expect(member.status).toBe(200);
  return member.body.balances as Record<"credit" | "cashback" | "points", { balance: number; available: number }>;
}

/** Runs the account's alarm until its outbox is empty (shipping the journal to D1). */
export async function drainOutbox(shop: Shop, memberId = shop.memberId) {
  const stub = account(shop, memberId);
  for (let i = 0; i < 20; i++) {
    const audit = await stub.audit();
    if (audit.outboxSize === 0) return;
    await runDurableObjectAlarm(stub);
  }
  throw new Error("outbox did not drain");
}

/**
 * Runs a StoreDO's or the TenantDO's alarm until its outbox is empty: its alerts are in D1 then (a row leaves the
 * outbox only once the history writer has committed it; an alarm that is already running is waited for).
 */
export async function drainObjectOutbox(stub: DurableObjectStub<StoreDO> | DurableObjectStub<TenantDO>) {
  for (let i = 0; i < 50; i++) {
    if ((await stub.outboxSize()) === 0) return;
    await runDurableObjectAlarm(stub);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("outbox did not drain");
}

/**
 * The invariants of ARCHITECTURE.md for one account: available = balance − holds ≥ 0, balance = Σ journal,
 * and, once the outbox drains, D1 history equals the journal.
 */
export async function expectInvariants(shop: Shop, memberId = shop.memberId) {
  const stub = account(shop, memberId);
  await drainOutbox(shop, memberId);
  const audit = await stub.audit();
  for (const method of ["credit", "cashback", "points"] as const) {
    expect(audit.balances[method]).toBe(audit.journalSums[method]);
    expect(audit.balances[method] - audit.held[method]).toBeGreaterThanOrEqual(0);
  }
  // The member's entries on each of the tenant's shards (one per epoch it sold in), in the journal's order.
  const pages = await acrossShards(await tenantShards(env, shop.tenantId), (d1) =>
    onRecords<{ seq: number }>(d1, "history", `SELECT id, seq, operation_id, kind, method, amount, balance_after FROM (${historyLines("h.tenant_id = ?1 AND h.member_id = ?2", "{table}")})`, shop.tenantId, memberId),
  );
  const history = { results: pages.flat().sort((a, b) => a.seq - b.seq) };
  expect(history.results).toEqual(
    audit.journal.map((e) => ({
      id: e.id,
      seq: e.seq,
      operation_id: e.operation_id,
      kind: e.kind,
      method: e.method,
      amount: e.amount,
      balance_after: e.balance_after,
    })),
  );
  return audit;
}

export async function inAccount<R>(shop: Shop, fn: (instance: AccountDO, state: DurableObjectState) => R | Promise<R>) {
  return runInDurableObject(account(shop), fn);
}

export const ORIGIN = "https://tillsafe.test";

/** Signs the shop's member in through a portal link, as the hosted page does; returns the cookie to send. */
export async function memberCookie(shop: Shop, memberId = shop.memberId): Promise<string> {
  const link = await api("POST", `/v1/members/${memberId}/portal-sessions`, { token: shop.secret });
  expect(link.status).toBe(201);
  const portal = await api("GET", new URL(link.body.url).pathname);
  expect(portal.status).toBe(302);
  const cookie = portal.headers.get("set-cookie")!;
  return cookie.split(";")[0];
}

/** A member API call with the page's cookie and its own Origin. */
export function asMember(cookie: string, method: string, path: string, body?: unknown) {
  return api(method, path, { body, headers: { cookie, origin: ORIGIN } });
}

/** Opens the member page's live socket; collects its messages. */
export function memberSocket(cookie: string, origin = ORIGIN) {
  return openSocket("/v1/me/events", cookie, origin);
}

/** A member of staff of the shop's tenant, signed in: their console cookie (made directly, without a password). */
export async function staffCookie(shop: Shop, role: "owner" | "manager" | "security" = "owner"): Promise<string> {
  const staffId = `stf_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await env.DB.prepare("INSERT INTO staff (id, tenant_id, email, role, password_hash, created_at) VALUES (?, ?, ?, ?, NULL, ?)")
    .bind(staffId, shop.tenantId, `${staffId}@cafe.example`, role, new Date().toISOString())
    .run();
  const session = await createStaffSession(env.DB, staffId, shop.tenantId);
  return `tillsafe_staff=${session.token}`;
}

/** A WebSocket to the Worker with a cookie, and its messages by type. */
export async function openSocket(path: string, cookie: string, origin = ORIGIN) {
  const response = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { headers: { upgrade: "websocket", cookie, origin } }));
  const socket = response.webSocket;
  if (!socket) return { status: response.status, socket: null, messages: [] as any[], next: async () => null as any };
  socket.accept();
  const messages: any[] = [];
  const waiting: ((message: any) => void)[] = [];
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data as string);
    checkSocketMessage(path, message);
    messages.push(message);
    for (const wake of waiting.splice(0)) wake(message);
  });
  /** The next message of a type (already received or still to come). */
  const next = (type: string, seen = { count: 0 }) =>
    new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} message`)), 5_000);
      const check = () => {
        const found = messages.filter((m) => m.type === type)[seen.count];
        if (found) {
          seen.count += 1;
          clearTimeout(timer);
          resolve(found);
          return true;
        }
        return false;
      };
      if (check()) return;
      const wait = () => {
        if (!check()) waiting.push(wait);
      };
      waiting.push(wait);
    });
  return { status: response.status, socket, messages, next };
}

export async function requireApproval(shop: Shop, methods: string[] = ["credit"]) {
  const reply = await api("PATCH", "/v1/settings", { token: shop.secret, body: { approval_required_for: methods } });
  expect(reply.status).toBe(200);
}

export function approvalRequest(shop: Shop, operationId: string, resend = false) {
  return api("POST", `/v1/operations/${operationId}/approval-requests`, { token: shop.terminal, body: { resend } });
}

/**
 * For fault-injection tests: the warnings the injected fault must cause are caught here (for the test to assert),
 * not printed as if something broke; any other warning still prints.
 */
export function captureWarnings(expected: RegExp) {
  const print = console.warn.bind(console);
  const caught: string[] = [];
  const spy = vi.spyOn(console, "warn").mockImplementation((...parts: unknown[]) => {
    const text = parts.map(String).join(" ");
    if (expected.test(text)) caught.push(text);
    else print(...parts);
  });
  return { caught, restore: () => spy.mockRestore() };
}

/** Every table of a kind on a shard: its generations (src/db/record-tables.ts) and the table of before. */
export async function recordTablesOn(d1: D1Database, kind: RecordKind): Promise<string[]> {
  const generations = await recordGenerations(d1);
  return [...generations[kind].map((g) => recordTable(kind, g)), BEFORE[kind]];
}

/** Runs `sql` (its table written `{table}`) on each table of a kind on a shard: the rows of all of them. */
export async function onRecords<T = Record<string, unknown>>(d1: D1Database, kind: RecordKind, sql: string, ...binds: unknown[]): Promise<T[]> {
  const rows: T[] = [];
  for (const table of await recordTablesOn(d1, kind)) rows.push(...(await d1.prepare(sql.replaceAll("{table}", table)).bind(...binds).all<T>()).results);
  return rows;
}

/** How many rows of a kind on a shard `where` picks. */
export async function countRecords(d1: D1Database, kind: RecordKind, where: string, ...binds: unknown[]): Promise<number> {
  return (await onRecords<{ n: number }>(d1, kind, `SELECT COUNT(*) AS n FROM {table} WHERE ${where}`, ...binds)).reduce((sum, row) => sum + row.n, 0);
}

/** Writes a row read from one table into another of the same shape, column by column. */
export async function insertRow(d1: D1Database, table: string, row: Record<string, unknown>): Promise<void> {
  const columns = Object.keys(row);
  await d1.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).bind(...columns.map((c) => row[c])).run();
}
