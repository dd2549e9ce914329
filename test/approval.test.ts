/** MobiSecure: approval requests, member answers, resends, long polls and PATCH, through the HTTP API. */
import { describe, expect, it } from "vitest";
import {
  api,
  approvalRequest,
  asMember,
  balances,
  createOperation,
  createShop,
  expectError,
  expectInvariants,
  memberCookie,
  requireApproval,
  topUp,
  type Shop,
} from "./helpers";

const sale = (shop: Shop, total: number, method = "credit") =>
  createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "M-1", total }, payments: [{ method, amount: total }] });

async function pendingSale(total = 4700) {
  const shop = await createShop();
  await topUp(shop, 15000);
  await requireApproval(shop);
  const created = await sale(shop, total);
  expect(created.body.authorization).toEqual({ method: "approval", status: "required" });
  return { shop, op: created.body };
}

describe("approval requests", () => {
  it("a request is stored, not delivered without an open page, and retrievable by the member", async () => {
    const { shop, op } = await pendingSale();
    const sent = await approvalRequest(shop, op.id);
    expect(sent.status).toBe(201);
    expect(sent.body.delivered).toBe(false);
    expect(sent.body.request).toMatchObject({
      operation_id: op.id,
      amount: 4700,
      methods: ["credit"],
      status: "pending",
      store_id: shop.storeId,
      store_name: "Main St",
      register_name: "Till 1",
    });
    expect(sent.body.request.id).toMatch(/^apr_[0-9a-z]{16}$/);
    expect((await api("GET", `/v1/operations/${op.id}`, { token: shop.terminal })).body.authorization).toEqual({ method: "approval", status: "pending" });

    const cookie = await memberCookie(shop);
    const missed = await asMember(cookie, "GET", "/v1/me/approval-requests?status=pending");
    expect(missed.status).toBe(200);
    expect(missed.body.data.map((r: any) => r.id)).toEqual([sent.body.request.id]);
  });

  it("a second request while one is pending is 409 unless resent; resends supersede and are rate limited", async () => {
    const { shop, op } = await pendingSale();
    const first = await approvalRequest(shop, op.id);
    const again = await approvalRequest(shop, op.id);
    expectError(again, 409, "approval_request_pending");
    expect(again.body.error.details).toEqual({ request_id: first.body.request.id });

    const tooSoon = await approvalRequest(shop, op.id, true);
    expectError(tooSoon, 429, "rate_limited");
    expect(Number(tooSoon.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

    await new Promise((resolve) => setTimeout(resolve, 3_050));
    const resent = await approvalRequest(shop, op.id, true);
    expect(resent.status).toBe(201);
    expect(resent.body.request.id).not.toBe(first.body.request.id);
    const cookie = await memberCookie(shop);
    const all = await asMember(cookie, "GET", "/v1/me/approval-requests");
    expect(all.body.data.map((r: any) => [r.id, r.status])).toEqual([
      [resent.body.request.id, "pending"],
      [first.body.request.id, "superseded"],
    ]);
    expectError(await asMember(cookie, "POST", `/v1/me/approval-requests/${first.body.request.id}/approve`), 409, "approval_request_closed");
  });

  it("approve lets the register confirm; the request is closed for good", async () => {
    const { shop, op } = await pendingSale();
    expectError(await api("POST", `/v1/operations/${op.id}/confirm`, { token: shop.terminal }), 409, "authorization_required");
    const sent = await approvalRequest(shop, op.id);
    const cookie = await memberCookie(shop);
    const approved = await asMember(cookie, "POST", `/v1/me/approval-requests/${sent.body.request.id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe("approved");
    expectError(await asMember(cookie, "POST", `/v1/me/approval-requests/${sent.body.request.id}/reject`), 409, "approval_request_closed");
    expectError(await approvalRequest(shop, op.id), 409, "already_approved");
    const confirmed = await api("POST", `/v1/operations/${op.id}/confirm`, { token: shop.terminal });
    expect(confirmed.body).toMatchObject({ status: "confirmed", authorization: { method: "approval", status: "approved" } });
    expect((await balances(shop)).credit).toEqual({ balance: 10300, available: 10300 });
    await expectInvariants(shop);
  });

  it("reject, change the amount, ask again, approve: the new amount is what moves", async () => {
    const { shop, op } = await pendingSale(4700);
    const cookie = await memberCookie(shop);
    const first = await approvalRequest(shop, op.id);
    const rejected = await asMember(cookie, "POST", `/v1/me/approval-requests/${first.body.request.id}/reject`);
    expect(rejected.body.status).toBe("rejected");
    const afterReject = await api("GET", `/v1/operations/${op.id}`, { token: shop.terminal });
    expect(afterReject.body.authorization).toEqual({ method: "approval", status: "rejected" });
    expectError(await api("POST", `/v1/operations/${op.id}/confirm`, { token: shop.terminal }), 409, "authorization_required");

    const changed = await api("PATCH", `/v1/operations/${op.id}`, {
      token: shop.terminal,
      body: { cheque: { number: "M-1", total: 5650 }, payments: [{ method: "credit", amount: 5650 }] },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ cheque: { total: 5650 }, payments: [{ method: "credit", amount: 5650 }], authorization: { status: "required" } });
    expect(changed.body.expires_at).toBe(op.expires_at);
    expect((await balances(shop)).credit).toEqual({ balance: 15000, available: 9350 });

    const second = await approvalRequest(shop, op.id);
    expect(second.body.request.amount).toBe(5650);
    await asMember(cookie, "POST", `/v1/me/approval-requests/${second.body.request.id}/approve`);
    await api("POST", `/v1/operations/${op.id}/confirm`, { token: shop.terminal });
    expect((await balances(shop)).credit).toEqual({ balance: 9350, available: 9350 });
    await expectInvariants(shop);
  });

  it("PATCH supersedes a pending request, refuses what it cannot hold, and is closed after approval", async () => {
    const { shop, op } = await pendingSale(4700);
    const cookie = await memberCookie(shop);
    const sent = await approvalRequest(shop, op.id);
    expectError(
      await api("PATCH", `/v1/operations/${op.id}`, { token: shop.terminal, body: { cheque: { number: "M-1", total: 15001 }, payments: [{ method: "credit", amount: 15001 }] } }),
      409,
      "insufficient_funds",
    );
    expect((await balances(shop)).credit.available).toBe(10300);
    await api("PATCH", `/v1/operations/${op.id}`, { token: shop.terminal, body: { cheque: { number: "M-1", total: 4000 }, payments: [{ method: "credit", amount: 4000 }] } });
    const list = await asMember(cookie, "GET", "/v1/me/approval-requests");
    expect(list.body.data[0]).toMatchObject({ id: sent.body.request.id, status: "superseded" });
    expectError(await asMember(cookie, "POST", `/v1/me/approval-requests/${sent.body.request.id}/approve`), 409, "approval_request_closed");

    const again = await approvalRequest(shop, op.id);
    await asMember(cookie, "POST", `/v1/me/approval-requests/${again.body.request.id}/approve`);
    expectError(await api("PATCH", `/v1/operations/${op.id}`, { token: shop.terminal, body: { accrue_points: true } }), 409, "already_authorized");
    expectError(await api("PATCH", `/v1/operations/${op.id}`, { token: shop.terminal, body: {} }), 400, "invalid_request");
  });

  it("cancelling the operation closes its request; another member's request is 404", async () => {
    const { shop, op } = await pendingSale();
    const sent = await approvalRequest(shop, op.id);
    await api("POST", `/v1/operations/${op.id}/cancel`, { token: shop.terminal });
    const cookie = await memberCookie(shop);
    expectError(await asMember(cookie, "POST", `/v1/me/approval-requests/${sent.body.request.id}/approve`), 409, "approval_request_closed");
    const list = await asMember(cookie, "GET", "/v1/me/approval-requests");
    expect(list.body.data[0].status).toBe("cancelled");
    expectError(await approvalRequest(shop, op.id), 409, "operation_not_pending");

    const other = await createShop();
    const otherCookie = await memberCookie(other);
    expectError(await asMember(otherCookie, "POST", `/v1/me/approval-requests/${sent.body.request.id}/approve`), 404, "approval_request_not_found");
  });

  it("an operation that needs no approval refuses a request", async () => {
    const shop = await createShop();
    await topUp(shop, 1000);
    const created = await sale(shop, 500);
    expectError(await approvalRequest(shop, created.body.id), 409, "approval_not_required");
  });
});

describe("long poll", () => {
  it("?wait returns as soon as the member answers, and ?since at once when the caller is behind", async () => {
    const { shop, op } = await pendingSale();
    const sent = await approvalRequest(shop, op.id);
    const cookie = await memberCookie(shop);
    const started = Date.now();
    const poll = api("GET", `/v1/operations/${op.id}?wait=30`, { token: shop.terminal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await asMember(cookie, "POST", `/v1/me/approval-requests/${sent.body.request.id}/approve`);
    const answered = await poll;
    expect(answered.body.authorization).toEqual({ method: "approval", status: "approved" });
    expect(Date.now() - started).toBeLessThan(20_000); // woken by the answer, not by the 30-second timeout

    const behind = await api("GET", `/v1/operations/${op.id}?wait=30&since=${encodeURIComponent(op.updated_at)}`, { token: shop.terminal });
    expect(behind.body.authorization.status).toBe("approved");
    const unchanged = await api("GET", `/v1/operations/${op.id}?wait=1&since=${encodeURIComponent(answered.body.updated_at)}`, { token: shop.terminal });
    expect(unchanged.body).toEqual(answered.body);
    expectError(await api("GET", `/v1/operations/${op.id}?wait=31`, { token: shop.terminal }), 400, "invalid_request");
  });
});
