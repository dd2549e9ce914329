/** The event log, every delivery attempt, sending an event again, and rotating an endpoint's secret. */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { eventTables, generationOf, makeGeneration, tableOf } from "../src/db/event-generations";
import { eventsPage } from "../src/db/events";
import { newEndpointSecret, signatureHeader } from "../src/webhooks/signing";
import { checkWebhookBody } from "./contract";
import { api, approvalRequest, asMember, createOperation, createShop, drainOutbox, expectError, memberCookie, requireApproval, shardOf, topUp, type Shop } from "./helpers";
import { tenantShards } from "../src/shards/tenant-shards";

/** Deliveries whose body drifted from the schema of their event (checked as received, failed after the test). */
const drifted: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  expect(drifted.splice(0)).toEqual([]);
});

/** A receiver at hooks.example answering `answer()`; what it received, each body held to the contract. */
function receiver(answer: () => number) {
  const received: { body: string; signature: string; headers: Record<string, string> }[] = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith("https://hooks.example/")) return realFetch(input, init);
    const headers = new Headers(init?.headers);
    received.push({ body: String(init?.body), signature: headers.get("tillsafe-signature")!, headers: Object.fromEntries(headers) });
    try {
      checkWebhookBody(String(init?.body));
    } catch (error) {
      drifted.push(String(error));
    }
    return new Response(null, { status: answer() });
  });
  return received;
}

async function deliverUntil(shop: Shop, done: () => boolean) {
  const webhooks = env.WEBHOOKS.get(env.WEBHOOKS.idFromName(shop.tenantId));
  for (let i = 0; i < 50 && !done(); i++) {
    await runDurableObjectAlarm(webhooks);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A shop whose refused sale raised an alert, with an endpoint subscribed to alerts. */
async function shopWithAlert() {
  const shop = await createShop();
  await topUp(shop, 5000);
  const hook = await api("POST", "/v1/webhook-endpoints", { token: shop.secret, body: { url: "https://hooks.example/tillsafe", events: ["alert.raised"] } });
  await api("POST", "/v1/limits", { token: shop.secret, body: { scope: "card", metric: "deducted_amount", method: "credit", period: "operation", hard: 100 } });
  const refused = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "W-1", total: 101 }, payments: [{ method: "credit", amount: 101 }] });
  expectError(refused, 422, "limit_exceeded");
  await drainOutbox(shop);
  return { shop, hook: hook.body as { id: string; secret: string } };
}

const stopSending = (shop: Shop, endpointId: string) => api("DELETE", `/v1/webhook-endpoints/${endpointId}`, { token: shop.secret });

describe("the event log and deliveries", () => {
  it("logs every type API.md lists: created, confirmed, cancelled, expired, an approval answered, a card blocked", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    const held = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "E-1", total: 300 }, payments: [{ method: "credit", amount: 300 }] });
    expect((await api("POST", `/v1/operations/${held.body.id}/cancel`, { token: shop.terminal })).status).toBe(200);
    await api("POST", `/v1/cards/${shop.card}/block`, { token: shop.secret, body: { reason: "lost" } });
    // Blocking again changes nothing and logs nothing.
    await api("POST", `/v1/cards/${shop.card}/block`, { token: shop.secret, body: { reason: "lost" } });
    await drainOutbox(shop);
    const types = (await api("GET", "/v1/events", { token: shop.secret })).body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(["card.blocked", "operation.cancelled", "operation.created", "operation.confirmed", "operation.created"]);
    const blocked = (await api("GET", "/v1/events?type=card.blocked", { token: shop.secret })).body.data[0];
    expect(blocked.data.card).toEqual({ number: shop.card, member_id: shop.memberId, status: "blocked", block_reason: "lost", replaced_by: null, livemode: true });
    const cancelled = (await api("GET", "/v1/events?type=operation.cancelled", { token: shop.secret })).body.data[0];
    expect(cancelled).toMatchObject({ id: `evt_${held.body.id.slice(3)}_cancelled`, data: { operation: { id: held.body.id, status: "cancelled" } } });
  });

  it("lists each operation event exactly as its webhook carried it: the operation as it was then, after a change and an approval too", async () => {
    receiver(() => 200);
    const shop = await createShop();
    await topUp(shop, 5000);
    await api("POST", "/v1/webhook-endpoints", { token: shop.secret, body: { url: "https://hooks.example/tillsafe", events: ["operation.created", "operation.confirmed", "operation.cancelled"] } });
    await requireApproval(shop);
    const cookie = await memberCookie(shop);
    const sale = (await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "R-1", total: 300 }, payments: [{ method: "credit", amount: 300 }], accrue_points: true })).body;
    await drainOutbox(shop);
    const changed = await api("PATCH", `/v1/operations/${sale.id}`, { token: shop.terminal, body: { cheque: { number: "R-1", total: 250 }, payments: [{ method: "credit", amount: 250 }], accrue_points: false } });
    expect(changed.status).toBe(200);
    const asked = await approvalRequest(shop, sale.id);
    await asMember(cookie, "POST", `/v1/me/approval-requests/${asked.body.request.id}/approve`);
    const confirmed = (await api("POST", `/v1/operations/${sale.id}/confirm`, { token: shop.terminal })).body;
    const dropped = (await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "R-2", total: 100 }, payments: [{ method: "credit", amount: 100 }] })).body;
    await api("POST", `/v1/operations/${dropped.id}/cancel`, { token: shop.terminal });
    await drainOutbox(shop);

    const listed = (await api("GET", "/v1/events", { token: shop.secret })).body.data as { id: string; type: string; data: { operation: { id: string } } }[];
    const sent = (await (await shardOf(shop.tenantId)).prepare("SELECT event_id, payload FROM webhook_deliveries WHERE tenant_id = ?").bind(shop.tenantId).all<{ event_id: string; payload: string }>()).results;
    const ofSale = listed.filter((e) => e.data.operation?.id === sale.id || e.data.operation?.id === dropped.id);
    expect(ofSale.map((e) => e.type)).toEqual(["operation.cancelled", "operation.created", "operation.confirmed", "operation.created"]);
    for (const event of ofSale) expect(event).toEqual(JSON.parse(sent.find((d) => d.event_id === event.id)?.payload ?? "null"));
    // The sale as made (300, earning points), and as confirmed (250, approved, earning none).
    const [, , confirmedEvent, createdEvent] = ofSale as unknown as { data: { operation: Record<string, unknown> } }[];
    expect(createdEvent.data.operation).toMatchObject({ status: "pending", payments: [{ method: "credit", amount: 300 }], accrue_points: true, accrual: { points: 3 } });
    const { livemode: _l, ...asConfirmed } = confirmed;
    expect(confirmedEvent.data.operation).toEqual({ ...asConfirmed, livemode: true });
    expect(confirmedEvent.data.operation).toMatchObject({ status: "confirmed", payments: [{ method: "credit", amount: 250 }], accrue_points: false, accrual: { points: 0 }, authorization: { method: "approval", status: "approved" } });
    // A page at a time, one cursor through log rows and operations' rows alike; by type, only that type.
    const paged: string[] = [];
    for (let cursor = ""; ; ) {
      const page = (await api("GET", `/v1/events?limit=1${cursor ? `&cursor=${cursor}` : ""}`, { token: shop.secret })).body;
      paged.push(...page.data.map((e: { id: string }) => e.id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    expect(paged).toEqual(listed.map((e) => e.id));
    const createdOnly = (await api("GET", "/v1/events?type=operation.created", { token: shop.secret })).body.data;
    expect(createdOnly).toEqual(listed.filter((e) => e.type === "operation.created"));
    // Sent again from the log alone (its deliveries gone), each is the same event again.
    const d1 = await shardOf(shop.tenantId);
    await d1.prepare("DELETE FROM webhook_deliveries WHERE tenant_id = ?").bind(shop.tenantId).run();
    const endpointId = (await api("GET", "/v1/webhook-endpoints", { token: shop.secret })).body.data[0].id;
    for (const event of ofSale) expect((await api("POST", `/v1/events/${event.id}/redeliver`, { token: shop.secret, body: { endpoint_id: endpointId } })).status).toBe(202);
    const again = (await d1.prepare("SELECT event_id, payload FROM webhook_deliveries WHERE tenant_id = ?").bind(shop.tenantId).all<{ event_id: string; payload: string }>()).results;
    expect(again).toHaveLength(ofSale.length);
    for (const event of ofSale) expect(JSON.parse(again.find((d) => d.event_id === event.id)!.payload)).toEqual(event);
  });

  it("keeps 30 days: events go with their 10-day generation, finished deliveries and attempts (and test SMS after 7) are dropped by the tenant's history writer", async () => {
    const [shop, other] = [await createShop(), await createShop()];
    // Both businesses' rows on the shop's shard, as when they share it.
    const shard = await shardOf(shop.tenantId);
    const at = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const logged = async (id: string, tenantId: string, createdAt: string) => {
      const generation = generationOf(createdAt);
      await shard.batch([
        makeGeneration(shard, generation),
        shard.prepare(`INSERT INTO ${tableOf(generation)} (id, tenant_id, type, created_at, payload) VALUES (?, ?, 'card.blocked', ?, '{}')`).bind(id, tenantId, createdAt),
      ]);
      return tableOf(generation);
    };
    // 45 days old: its generation ended 35 days ago at the latest. 29 days old: listed still.
    const gone = await logged("evt_old", shop.tenantId, at(45));
    await logged("evt_other_old", other.tenantId, at(45));
    const kept = await logged("evt_recent", shop.tenantId, at(29));
    const delivery = shard.prepare(
      "INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, type, payload, attempts, next_attempt_at, delivered_at, created_at) VALUES (?, ?, ?, 'card.blocked', '{}', ?, 0, ?, ?)",
    );
    const attempt = shard.prepare("INSERT INTO webhook_attempts (event_id, endpoint_id, tenant_id, attempt, status_code, at) VALUES (?, 'whe_x', ?, 1, 200, ?)");
    await env.DB.prepare("INSERT INTO dev_sms (id, tenant_id, \"to\", body, created_at) VALUES ('sms_old', ?1, '+15005550001', 'old', ?2), ('sms_new', ?1, '+15005550001', 'new', ?3)").bind(shop.tenantId, at(8), at(6)).run();
    await shard.batch([
      delivery.bind("evt_old", "whe_x", shop.tenantId, 1, at(31), at(31)),
      delivery.bind("evt_old", "whe_given_up", shop.tenantId, 8, null, at(31)),
      // Sent again by hand lately: still being tried, so it stays.
      delivery.bind("evt_old", "whe_again", shop.tenantId, 2, null, at(31)),
      attempt.bind("evt_old", shop.tenantId, at(31)),
      // Another business's old deliveries and attempts are its own writer's to drop.
      delivery.bind("evt_other_old", "whe_y", other.tenantId, 1, at(31), at(31)),
      attempt.bind("evt_other_old", other.tenantId, at(31)),
    ]);
    const tables = async () => (await eventTables(shard)).generations.map(tableOf);
    // The shop's first history batch (its top-up) is the writer's first: it cleans up after it.
    await topUp(shop, 100);
    await drainOutbox(shop);
    const left = async () => ({
      ...(await shard
        .prepare(
          `SELECT (SELECT group_concat(id) FROM ${kept} WHERE tenant_id = ?1) AS events,
             (SELECT group_concat(endpoint_id) FROM webhook_deliveries WHERE tenant_id = ?1) AS deliveries, (SELECT COUNT(*) FROM webhook_attempts WHERE tenant_id = ?1) AS attempts`,
        )
        .bind(shop.tenantId)
        .first<{ events: string; deliveries: string; attempts: number }>())!,
      sms: await env.DB.prepare("SELECT group_concat(id) AS sms FROM dev_sms WHERE tenant_id = ?1").bind(shop.tenantId).first("sms"),
    });
    for (let i = 0; i < 40 && (await left()).attempts !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await left()).toEqual({ events: "evt_recent", deliveries: "whe_again", attempts: 0, sms: "sms_new" });
    // The 45-day generation went whole, the other business's event with it; the 29-day one is there.
    expect(await tables()).not.toContain(gone);
    expect(await tables()).toContain(kept);
    const others = await shard.prepare("SELECT (SELECT COUNT(*) FROM webhook_deliveries WHERE tenant_id = ?1) + (SELECT COUNT(*) FROM webhook_attempts WHERE tenant_id = ?1) AS n").bind(other.tenantId).first("n");
    expect(others).toBe(2);
    expect((await api("GET", "/v1/events?type=operation.confirmed", { token: shop.secret })).body.data).toHaveLength(1);
    expect((await eventsPage(await tenantShards(env, shop.tenantId), { limit: 10, type: "card.blocked" })).data).toEqual([{ livemode: true }]);
  });

  it("lists across generations newest first, page by page, and only the last 30 days", async () => {
    const shop = await createShop();
    const day = 86_400_000;
    const now = Date.now();
    const shard = await shardOf(shop.tenantId);
    const put = async (id: string, daysAgo: number) => {
      const createdAt = new Date(now - daysAgo * day).toISOString();
      const generation = generationOf(createdAt);
      await shard.batch([
        makeGeneration(shard, generation),
        shard.prepare(`INSERT INTO ${tableOf(generation)} (id, tenant_id, type, created_at, payload) VALUES (?1, ?2, 'card.blocked', ?3, json_object('id', ?1))`).bind(id, shop.tenantId, createdAt),
      ]);
    };
    // Four generations at least: 1, 12, 23 and 29 days ago; 31 days ago is past the log's 30.
    for (const [id, days] of [["evt_a", 1], ["evt_b", 12], ["evt_c", 12.5], ["evt_d", 23], ["evt_e", 29], ["evt_f", 31]] as const) await put(id, days);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await eventsPage(await tenantShards(env, shop.tenantId), { limit: 2, ...(cursor ? { cursor } : {}) }, now)) as { data: { id: string }[]; next_cursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(["evt_a", "evt_b", "evt_c", "evt_d", "evt_e"]);
    expect((await eventsPage(await tenantShards(env, shop.tenantId), { limit: 10, created_after: new Date(now - 13 * day).toISOString() }, now)).data.map((e: { id?: string }) => e.id)).toEqual(["evt_a", "evt_b", "evt_c"]);
  });

  it("an approval the member answers is logged as approval_request.answered, with the answer", async () => {
    const shop = await createShop();
    await topUp(shop, 5000);
    await requireApproval(shop);
    const held = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "E-2", total: 400 }, payments: [{ method: "credit", amount: 400 }] });
    const request = { ...(await approvalRequest(shop, held.body.id)) };
    request.body = request.body.request;
    expect(request.status).toBe(201);
    const cookie = await memberCookie(shop);
    expect((await asMember(cookie, "POST", `/v1/me/approval-requests/${request.body.id}/reject`)).status).toBe(200);
    await drainOutbox(shop);
    const [answered] = (await api("GET", "/v1/events?type=approval_request.answered", { token: shop.secret })).body.data;
    expect(answered).toMatchObject({ id: `evt_${request.body.id}_answered`, data: { approval_request: { id: request.body.id, operation_id: held.body.id, status: "rejected" } } });
  });

  it("lists the tenant's events newest first, by type and time; each attempt is kept with its code and next try", async () => {
    let status = 500;
    const received = receiver(() => status);
    const { shop, hook } = await shopWithAlert();
    const events = (await api("GET", "/v1/events", { token: shop.secret })).body.data;
    // The alert, and the top-up's creation and confirmation, newest first.
    expect(events.map((e: { type: string }) => e.type)).toEqual(["alert.raised", "operation.confirmed", "operation.created"]);
    const alert = events.find((e: { type: string }) => e.type === "alert.raised");
    expect(alert).toMatchObject({ id: expect.stringMatching(/^evt_/), livemode: true, data: { alert: { type: "limit.blocked", bound: 100, value: 101 } } });
    expect((await api("GET", "/v1/events?type=alert.raised", { token: shop.secret })).body.data.map((e: { id: string }) => e.id)).toEqual([alert.id]);
    expect((await api("GET", `/v1/events?created_after=${new Date(Date.now() + 60_000).toISOString()}`, { token: shop.secret })).body.data).toEqual([]);
    expectError(await api("GET", "/v1/events?type=operation.exploded", { token: shop.secret }), 400, "invalid_request");

    await deliverUntil(shop, () => received.length === 1);
    const attempts = (await api("GET", `/v1/webhook-endpoints/${hook.id}/deliveries`, { token: shop.secret })).body.data;
    expect(attempts).toEqual([{ event_id: alert.id, attempt: 1, status_code: 500, error: "answered 500", at: expect.any(String), next_attempt_at: expect.any(String) }]);
    expect(Date.parse(attempts[0].next_attempt_at) - Date.parse(attempts[0].at)).toBeGreaterThanOrEqual(29_000);

    // Sent again now, without waiting for the back-off: delivered.
    status = 204;
    expect((await api("POST", `/v1/events/${alert.id}/redeliver`, { token: shop.secret, body: { endpoint_id: hook.id } })).status).toBe(202);
    await deliverUntil(shop, () => received.length === 2);
    expect(received[1].body).toBe(received[0].body);
    const after = (await api("GET", `/v1/webhook-endpoints/${hook.id}/deliveries`, { token: shop.secret })).body.data;
    expect(after.map((a: { attempt: number; status_code: number; next_attempt_at: string | null }) => [a.attempt, a.status_code, a.next_attempt_at])).toEqual([[2, 204, null], [1, 500, attempts[0].next_attempt_at]]);
    // A delivered event sent again on purpose is sent once more.
    expect((await api("POST", `/v1/events/${alert.id}/redeliver`, { token: shop.secret, body: { endpoint_id: hook.id } })).status).toBe(202);
    await deliverUntil(shop, () => received.length === 3);
    expect(received).toHaveLength(3);

    expectError(await api("POST", "/v1/events/evt_nope/redeliver", { token: shop.secret, body: { endpoint_id: hook.id } }), 404, "event_not_found");
    expectError(await api("POST", `/v1/events/${alert.id}/redeliver`, { token: shop.secret, body: { endpoint_id: "whe_nope" } }), 404, "webhook_endpoint_not_found");
    // Another tenant sees none of these events.
    const other = (await api("GET", "/v1/events", { token: (await createShop()).secret })).body.data;
    expect(other).toEqual([]);
    expect((await stopSending(shop, hook.id)).status).toBe(200);
  });

  it("rotating the secret: both signatures for a day, the new one first; the old secret still verifies", async () => {
    const received = receiver(() => 204);
    const { shop, hook } = await shopWithAlert();
    await deliverUntil(shop, () => received.length === 1);
    const t0 = Number(/t=(\d+)/.exec(received[0].signature)![1]);
    expect(received[0].signature).toBe(await signatureHeader(hook.secret, received[0].body, t0));
    // Standard Webhooks: the event id, the same time, and a signature the standardwebhooks package verifies.
    const first = JSON.parse(received[0].body);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect([received[0].headers["webhook-id"], received[0].headers["webhook-timestamp"]]).toEqual([first.id, String(t0)]);
    expect(received[0].headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(hook.secret).verify(received[0].body, received[0].headers)).toEqual(first);
    // A body changed on the way does not verify.
    expect(() => new Webhook(hook.secret).verify(received[0].body.replace("alert", "alerT"), received[0].headers)).toThrow(WebhookVerificationError);
    const rotated = await api("POST", `/v1/webhook-endpoints/${hook.id}/rotate-secret`, { token: shop.secret });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(hook.secret);
    expect(Date.parse(rotated.body.previous_secret_valid_until) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    const [event] = (await api("GET", "/v1/events?type=alert.raised", { token: shop.secret })).body.data;
    expect((await api("POST", `/v1/events/${event.id}/redeliver`, { token: shop.secret, body: { endpoint_id: hook.id } })).status).toBe(202);
    await deliverUntil(shop, () => received.length === 2);
    const { body, signature } = received[1];
    const t = Number(/t=(\d+)/.exec(signature)![1]);
    expect(signature).toBe(await signatureHeader([rotated.body.secret, hook.secret], body, t));
    expect(signature.split(",v1=")).toHaveLength(3);
    // The Standard Webhooks signature likewise: a receiver with either secret verifies it with the standard library.
    expect(received[1].headers["webhook-signature"].split(" ")).toHaveLength(2);
    for (const secret of [rotated.body.secret, hook.secret]) expect(new Webhook(secret).verify(body, received[1].headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newEndpointSecret()).verify(body, received[1].headers)).toThrow(WebhookVerificationError);
    // A second rotation while the first secret still signs would cut it off: refused, nothing changes.
    const again = await api("POST", `/v1/webhook-endpoints/${hook.id}/rotate-secret`, { token: shop.secret });
    expectError(again, 409, "rotation_in_progress");
    expect(again.body.error.details.previous_valid_until).toBe(rotated.body.previous_secret_valid_until);
    const audit = (await api("GET", "/v1/audit-log", { token: shop.secret })).body.data;
    expect(audit.some((e: { action: string; subject_id: string }) => e.action === "webhook_endpoint.secret_rotated" && e.subject_id === hook.id)).toBe(true);
    expect((await stopSending(shop, hook.id)).status).toBe(200);
  });
});
