/**
 * Crash safety: the objects are aborted or evicted at each await point of an operation — before the decision, after
 * it but before the answer, during outbox shipment and during webhook delivery — and the request is retried with the
 * same idempotency key. Nothing is lost, nothing is applied twice, and D1 history ends equal to the journal.
 */
import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AccountDO } from "../src/accounts/account-do";
import type { WebhookDO } from "../src/webhooks/webhook-do";
import { operationId, requestKeyOf } from "../src/lib/ids";

import { account, api, balances, captureWarnings, countRecords, createOperation, createShop, d1WithBatch, drainOutbox, expectInvariants, idemKey, shardBindingOf, shardOf, topUp, writerUsesDb, type Shop } from "./helpers";
import { checkWebhookBody } from "./contract";
import { storeOf } from "../src/objects";

afterEach(() => vi.restoreAllMocks());

const sale = (shop: Shop, amount: number) => ({
  type: "purchase",
  card: shop.card,
  cheque: { number: "X-1", total: amount },
  payments: [{ method: "credit", amount }],
  accrue_points: true,
});

/** Sends a request while every object is aborted under it; the answer may be lost (an error) or arrive. */
async function underAbort<T>(request: () => Promise<T>): Promise<T | Error> {
  const [answer] = await Promise.all([request().catch((error: Error) => error), abortAllDurableObjects()]);
  return answer;
}

describe("crash safety", () => {
  it("before the decision: an evicted account decides from storage alone", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    await evictDurableObject(account(shop));
    const created = await createOperation(shop, sale(shop, 1200));
    expect(created.status).toBe(201);
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 3800 });
    await expectInvariants(shop);
  });

  it("after the decision, before the answer: the retry with the same key gets the first answer and holds once", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const key = idemKey();
    const lost = await underAbort(() => createOperation(shop, sale(shop, 1200), key));
    const retried = await createOperation(shop, sale(shop, 1200), key);
    expect(retried.status).toBe(201);
    if (!(lost instanceof Error) && lost.status === 201) expect(retried.body).toEqual(lost.body);
    expect((await balances(shop)).credit).toEqual({ balance: 5000, available: 3800 });

    const confirmLost = await underAbort(() => api("POST", `/v1/operations/${retried.body.id}/confirm`, { token: shop.terminal }));
    void confirmLost;
    const confirmed = await api("POST", `/v1/operations/${retried.body.id}/confirm`, { token: shop.terminal });
    expect(confirmed.body.status).toBe("confirmed");
    const audit = await expectInvariants(shop);
    expect(audit.journal.filter((e) => e.operation_id === retried.body.id).map((e) => [e.kind, e.amount])).toEqual([
      ["accrual", 12],
      ["payment", -1200],
    ]);
    expect(audit.balances).toEqual({ credit: 3800, cashback: 0, points: 12 });
  });

  it("many retries racing aborts: every key ends with exactly one operation", async () => {
    const shop = await createShop();
    await topUp(shop, 100000);
    const keys = Array.from({ length: 10 }, () => idemKey());
    for (let round = 0; round < 3; round++) {
      await underAbort(() => Promise.all(keys.map((key) => createOperation(shop, sale(shop, 100), key))));
    }
    const answers = await Promise.all(keys.map((key) => createOperation(shop, sale(shop, 100), key)));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(10);
    expect((await balances(shop)).credit).toEqual({ balance: 100000, available: 99000 });
    await expectInvariants(shop);
  });

  it("during outbox shipment: D1 took the batch but the object died before clearing its outbox; the re-shipment adds nothing", async () => {
    const shop = await createShop();
    await drainOutbox(shop);
    let crashes = 1;
    const dying = d1WithBatch(async (statements, real) => {
      const results = await real.batch(statements);
      if (crashes-- > 0) throw new Error("the object died after D1 committed");
      return results;
    }, await shardOf(shop.tenantId));
    await writerUsesDb(shop, dying);
    const warnings = captureWarnings(/outbox shipment failed/);
    await topUp(shop, 700);
    await topUp(shop, 300, "points");
    await runInDurableObject(account(shop), (instance: AccountDO) => instance.alarm());
    await runInDurableObject(account(shop), (instance: AccountDO) => instance.alarm());
    warnings.restore();
    expect(warnings.caught).toEqual(["outbox shipment failed (attempt 1): Error: the object died after D1 committed"]);
    const audit = await expectInvariants(shop);
    expect(audit.journal).toHaveLength(2);
    const shipped = { n: await countRecords(await shardOf(shop.tenantId), "history", "tenant_id = ?", shop.tenantId) };
    expect(shipped?.n).toBe(2);
  });

  it("an evicted StoreDO between reserve and the account: the retry counts the operation once", async () => {
    const shop = await createShop();
    await topUp(shop, 10000);
    expect((await api("POST", "/v1/limits", { token: shop.secret, body: { scope: "register", metric: "purchase_count", period: "day", hard: 2 } })).status).toBe(201);
    const store = storeOf(env, { tenant_id: shop.tenantId, store_id: shop.storeId });
    const key = idemKey();
    expect((await createOperation(shop, sale(shop, 100), key)).status).toBe(201);
    await evictDurableObject(store);
    await evictDurableObject(account(shop));
    expect((await createOperation(shop, sale(shop, 100), key)).status).toBe(201);
    expect((await createOperation(shop, sale(shop, 100))).status).toBe(201);
    expect((await createOperation(shop, sale(shop, 100))).status).toBe(422);
  });

  it("after the store claimed the key but before the account decided: the retry creates the operation once", async () => {
    const shop = await createShop();
    await topUp(shop, 1000);
    const ref = { tenant_id: shop.tenantId, store_id: shop.storeId };
    const store = storeOf(env, ref);
    const key = idemKey();
    // The first attempt claimed its key at the store and died before reaching the account.
    const id = await operationId(shop.memberId, shop.tenantId, shop.registerId, key);
    expect(await store.claimKey(ref, { key: requestKeyOf(id), operation_id: id, at: Date.now() })).toBeNull();
    await evictDurableObject(store);
    const retry = await createOperation(shop, sale(shop, 200), key);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(id);
    const again = await createOperation(shop, sale(shop, 200), key);
    expect(again.body).toEqual(retry.body);
    expect((await balances(shop)).credit).toEqual({ balance: 1000, available: 800 });
  });

  it("during webhook delivery: sent but not marked delivered before the crash; delivered again (at least once), then marked", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    await drainOutbox(shop); // that top-up's event is out before the endpoint exists
    await api("POST", "/v1/webhook-endpoints", { token: shop.secret, body: { url: "https://hooks.example/crash", events: ["operation.confirmed"] } });
    const received: string[] = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.startsWith("https://hooks.example/")) return realFetch(input, init);
      received.push(String(init?.body));
      return new Response("ok");
    });
    const hooks = env.WEBHOOKS.get(env.WEBHOOKS.idFromName(shop.tenantId));
    let crashes = 1;
    const dying = new Proxy(await shardOf(shop.tenantId), {
      get(target, property) {
        if (property === "prepare") {
          return (query: string) => {
            if (query.startsWith("UPDATE webhook_deliveries") && crashes-- > 0) throw new Error("the object died after sending");
            return target.prepare(query);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const binding = await shardBindingOf(shop.tenantId);
    await runInDurableObject(hooks, (instance: WebhookDO) => {
      (instance as unknown as { env: unknown }).env = { ...env, [binding]: dying };
    });
    const warnings = captureWarnings(/webhook attempt was not recorded/);
    await topUp(shop, 100);
    await drainOutbox(shop);
    const row = async () => (await shardOf(shop.tenantId)).prepare("SELECT attempts, delivered_at FROM webhook_deliveries WHERE tenant_id = ?").bind(shop.tenantId).first<any>();
    // The first alarm sends and dies before marking; the delivery is still due, so the next alarm sends again and marks.
    for (let i = 0; i < 100 && !(await row())?.delivered_at; i++) {
      await runDurableObjectAlarm(hooks).catch(() => false);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await row())?.delivered_at).toEqual(expect.any(String));
    warnings.restore();
    expect(warnings.caught).toEqual(["a webhook attempt was not recorded; it is sent again: Error: the object died after sending"]);
    expect(received).toHaveLength(2);
    expect(received[1]).toBe(received[0]);
    expect(JSON.parse(received[0])).toMatchObject({ type: "operation.confirmed", data: { operation: { type: "top_up", amount: 100 } } });
    checkWebhookBody(received[0]);
    await runInDurableObject(hooks, (instance: WebhookDO) => instance.alarm());
    expect(received).toHaveLength(2);
  });
});
