/** No request of tenant A reads or changes anything of tenant B: another tenant's object is the same 404 as none. */
import { describe, expect, it } from "vitest";
import { api, balances, createOperation, createShop, expectInvariants, topUp, uniqueCard, type Reply } from "./helpers";

const strip = (reply: Reply) => ({ status: reply.status, body: reply.body });

describe("cross-tenant matrix", () => {
  it("every route answers another tenant's id exactly like a missing one, and changes nothing", async () => {
    const a = await createShop();
    const b = await createShop();
    await topUp(a, 5000);
    const sale = await createOperation(a, { type: "purchase", card: a.card, cheque: { number: "T-1", total: 1000 }, payments: [{ method: "credit", amount: 1000 }] });
    const confirmedSale = await createOperation(a, { type: "purchase", card: a.card, cheque: { number: "T-2", total: 500 }, payments: [{ method: "credit", amount: 500 }] });
    await api("POST", `/v1/operations/${confirmedSale.body.id}/confirm`, { token: a.terminal });
    const before = await balances(a);

    const missing = {
      store: "sto_0000000000000000",
      member: "mem_0000000000000000",
      card: uniqueCard(),
      op: `op_${"0".repeat(32)}`,
    };
    type Probe = { method: string; path: (ids: typeof missing) => string; token: string; body?: (ids: typeof missing) => unknown; idem?: boolean };
    const probes: Probe[] = [
      { method: "GET", path: (i) => `/v1/stores/${i.store}`, token: b.secret },
      { method: "PATCH", path: (i) => `/v1/stores/${i.store}`, token: b.secret, body: () => ({ name: "Hijacked" }) },
      { method: "POST", path: (i) => `/v1/stores/${i.store}/registers`, token: b.secret, body: () => ({ name: "Rogue" }) },
      { method: "GET", path: (i) => `/v1/stores/${i.store}/registers`, token: b.secret },
      { method: "GET", path: (i) => `/v1/members/${i.member}`, token: b.secret },
      { method: "GET", path: (i) => `/v1/members/${i.member}/history`, token: b.secret },
      { method: "POST", path: (i) => `/v1/members/${i.member}/cards`, token: b.secret, body: () => ({ number: uniqueCard() }) },
      { method: "GET", path: (i) => `/v1/cards/${i.card}`, token: b.secret },
      { method: "POST", path: (i) => `/v1/cards/${i.card}/block`, token: b.secret, body: () => ({ reason: "mine now" }) },
      { method: "POST", path: (i) => `/v1/cards/${i.card}/unblock`, token: b.secret },
      { method: "POST", path: (i) => `/v1/cards/${i.card}/replace`, token: b.secret, body: () => ({ new_number: uniqueCard() }) },
      { method: "GET", path: (i) => `/v1/operations/${i.op}`, token: b.secret },
      { method: "GET", path: (i) => `/v1/operations/${i.op}`, token: b.terminal },
      { method: "POST", path: (i) => `/v1/operations/${i.op}/confirm`, token: b.terminal },
      { method: "POST", path: (i) => `/v1/operations/${i.op}/cancel`, token: b.terminal },
      {
        method: "POST",
        path: () => "/v1/operations",
        token: b.terminal,
        idem: true,
        body: (i) => ({ type: "purchase", card: i.card, cheque: { number: "X", total: 100 }, payments: [{ method: "credit", amount: 100 }] }),
      },
      { method: "POST", path: () => "/v1/operations", token: b.terminal, idem: true, body: (i) => ({ type: "refund", original_operation_id: i.op, amount: 100 }) },
    ];
    const realA = { store: a.storeId, member: a.memberId, card: a.card, op: sale.body.id };
    for (const probe of probes) {
      const send = (ids: typeof missing) =>
        api(probe.method, probe.path(ids), {
          token: probe.token,
          body: probe.body?.(ids),
          headers: probe.idem ? { "idempotency-key": `k-${Math.random()}` } : {},
        });
      const ofA = strip(await send(realA));
      const ofNone = strip(await send(missing));
      expect({ probe: `${probe.method} ${probe.path(missing)}`, ...ofA }).toEqual({ probe: `${probe.method} ${probe.path(missing)}`, ...ofNone });
      expect(ofA.status).toBe(404);
    }
    // A refund of A's confirmed sale through B's till is refused the same way.
    const refund = await api("POST", "/v1/operations", {
      token: b.terminal,
      body: { type: "refund", original_operation_id: confirmedSale.body.id, amount: 100 },
      headers: { "idempotency-key": "cross" },
    });
    expect(refund.status).toBe(404);

    // Listings of B show nothing of A.
    const ops = await api("GET", `/v1/operations?member_id=${a.memberId}`, { token: b.secret });
    expect(ops.body).toEqual({ data: [], next_cursor: null });
    const stores = await api("GET", "/v1/stores", { token: b.secret });
    expect(stores.body.data.map((s: { id: string }) => s.id)).toEqual([b.storeId]);

    // Nothing of A changed.
    expect(await balances(a)).toEqual(before);
    expect((await api("GET", `/v1/operations/${sale.body.id}`, { token: a.terminal })).body.status).toBe("pending");
    expect((await api("GET", `/v1/cards/${a.card}`, { token: a.secret })).body.status).toBe("active");
    expect((await api("GET", `/v1/stores/${a.storeId}`, { token: a.secret })).body.name).toBe("Main St");
    await expectInvariants(a);
  });
});
