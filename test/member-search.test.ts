/** GET /v1/members?query=: a phone as typed, a card number, or the start of a name; newest first, this tenant only. */
import { describe, expect, it } from "vitest";
import { api, createShop, topUp, uniqueCard } from "./helpers";

describe("finding members", () => {
  it("by phone (E.164 or the local digits as typed), card number or name prefix, each with balances and cards", async () => {
    const shop = await createShop();
    await topUp(shop, 1500);
    const enrol = async (name: string, phone: string) => (await api("POST", "/v1/members", { token: shop.secret, body: { name, phone } })).body.id as string;
    const nicolas = await enrol("Nicolas Brandt", "+61400000001");
    const sam = await enrol("Sam 100% Real_Name", "+61400000002");
    const other = await createShop();
    await api("POST", "/v1/members", { token: other.secret, body: { name: "Nicole Elsewhere", phone: "+61412345678" } });
    const find = async (query?: string) => {
      const reply = await api("GET", `/v1/members${query === undefined ? "" : `?query=${encodeURIComponent(query)}`}`, { token: shop.secret });
      expect(reply.status).toBe(200);
      return reply.body.data.map((m: { id: string }) => m.id);
    };
    expect(await find()).toEqual([sam, nicolas, shop.memberId]);
    expect(await find("+61412345678")).toEqual([shop.memberId]);
    expect(await find("0412 345 678")).toEqual([shop.memberId]);
    expect(await find("412345678")).toEqual([shop.memberId]);
    expect(await find(shop.card)).toEqual([shop.memberId]);
    expect(await find("nic")).toEqual([nicolas, shop.memberId]);
    expect(await find("Sam 100%")).toEqual([sam]);
    expect(await find("%")).toEqual([]);
    expect(await find("_")).toEqual([]);
    expect(await find(uniqueCard())).toEqual([]);
    const [first] = (await api("GET", `/v1/members?query=${shop.card}`, { token: shop.secret })).body.data;
    expect(first).toMatchObject({ name: "Nicola", phone: "+61412345678", balances: { credit: { balance: 1500, available: 1500 } } });
    expect(first.cards).toEqual([expect.objectContaining({ number: shop.card, status: "active", member_id: shop.memberId })]);
    const page = await api("GET", "/v1/members?limit=2", { token: shop.secret });
    expect(page.body.data).toHaveLength(2);
    const rest = await api("GET", `/v1/members?limit=2&cursor=${page.body.next_cursor}`, { token: shop.secret });
    expect(rest.body.data.map((m: { id: string }) => m.id)).toEqual([shop.memberId]);
    expect((await api("GET", `/v1/members?query=${"x".repeat(101)}`, { token: shop.secret })).status).toBe(400);
  });
});
