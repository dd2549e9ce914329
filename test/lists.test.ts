/** Back-office lists: newest first, keyset cursors that neither skip nor repeat a row, filters, bad cursors refused. */
import { describe, expect, it } from "vitest";
import { api, createShop, drainOutbox, expectError, topUp } from "./helpers";

/** Follows next_cursor to the end and returns every page. */
async function allPages(token: string, path: string, limit: number) {
  const pages: { data: { id: string; created_at: string }[]; next_cursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const reply: { status: number; body: any } = await api("GET", `${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`, { token });
    expect(reply.status).toBe(200);
    pages.push(reply.body);
    cursor = reply.body.next_cursor;
  } while (cursor && pages.length < 20);
  return pages;
}

describe("newest-first lists", () => {
  it("stores page through every row once, newest first", async () => {
    const shop = await createShop();
    const made = [shop.storeId];
    for (const name of ["North", "South", "East", "West"]) {
      made.push((await api("POST", "/v1/stores", { token: shop.secret, body: { name } })).body.id);
    }
    const pages = await allPages(shop.secret, "/v1/stores", 2);
    expect(pages.map((page) => page.data.length)).toEqual([2, 2, 1]);
    expect(pages[2].next_cursor).toBeNull();
    const listed = pages.flatMap((page) => page.data);
    expect(new Set(listed.map((store) => store.id)).size).toBe(5);
    expect(listed.map((store) => store.id).sort()).toEqual([...made].sort());
    const order = listed.map((store) => `${store.created_at} ${store.id}`);
    expect(order).toEqual([...order].sort().reverse());
  });

  it("operations page with their filters, and a cursor not made here is a 400", async () => {
    const shop = await createShop();
    const confirmed = [await topUp(shop, 100), await topUp(shop, 200), await topUp(shop, 300)];
    const pending = await api("POST", "/v1/operations", {
      token: shop.terminal,
      headers: { "idempotency-key": "lists-pending" },
      body: { type: "purchase", card: shop.card, cheque: { number: "L-1", total: 50 }, payments: [{ method: "credit", amount: 50 }] },
    });
    expect(pending.status).toBe(201);
    await drainOutbox(shop);
    const everything = (await allPages(shop.secret, "/v1/operations", 3)).flatMap((page) => page.data);
    expect(everything.map((op) => op.id).sort()).toEqual([...confirmed.map((op) => op.id), pending.body.id].sort());
    const onlyConfirmed = (await allPages(shop.secret, "/v1/operations?status=confirmed", 2)).flatMap((page) => page.data);
    expect(onlyConfirmed.map((op) => op.id).sort()).toEqual(confirmed.map((op) => op.id).sort());
    expectError(await api("GET", "/v1/operations?cursor=bm90LWEtY3Vyc29y", { token: shop.secret }), 400, "invalid_request");
  });
});
