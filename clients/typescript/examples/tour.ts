/**
 * The README's five-minute tour with the typed client: a tenant, a store and register, a member with a card, a
 * top-up, and a purchase held then confirmed — every answer typed, no casts. Run against a server (`npm start`),
 * with Node 22.18 or later (it runs TypeScript as it is), after `npm run build` here:
 * `node examples/tour.ts http://127.0.0.1:8787 dev-platform-token`.
 */
import { createTillsafe, type TillsafeOptions } from "@tillsafe/client";

export interface TourResult {
  credit: { balance: number; available: number };
  points: number;
  history: [string, string, number, number][];
}

/** Fails with the API's own words when a step is refused. */
function must<T>(answer: { data?: T; error?: { error: { code: string; message: string } } }): T {
  if (answer.data === undefined) throw new Error(`${answer.error?.error.code}: ${answer.error?.error.message}`);
  return answer.data;
}

export async function tour(baseUrl: string, platformToken: string, fetch?: TillsafeOptions["fetch"]): Promise<TourResult> {
  // 1. The platform operator creates a tenant; its secret key is shown once.
  const platform = createTillsafe({ baseUrl, token: platformToken, fetch });
  const { secret_key } = must(await platform.POST("/v1/tenants", { body: { name: "Cafe Aroma", currency: "USD", timezone: "Australia/Sydney" } }));
  const office = createTillsafe({ baseUrl, token: secret_key, fetch });

  // 2. A store and a cash register; the register's terminal key is shown once.
  const store = must(await office.POST("/v1/stores", { body: { name: "Main St" } }));
  const { terminal_key } = must(await office.POST("/v1/stores/{id}/registers", { params: { path: { id: store.id } }, body: { name: "Till 1" } }));
  const till = createTillsafe({ baseUrl, token: terminal_key, fetch });

  // 3. A member with a card.
  const member = must(await office.POST("/v1/members", { body: { name: "Nicola", phone: "+61412345678" } }));
  const card = `6001${Date.now()}`.slice(0, 16);
  must(await office.POST("/v1/members/{id}/cards", { params: { path: { id: member.id } }, body: { number: card } }));

  // 4. At the till: the member buys 150.00 of credit (create, then confirm).
  const topUp = must(
    await till.POST("/v1/operations", { params: { header: { "Idempotency-Key": `topup-${card}` } }, body: { type: "top_up", card, method: "credit", amount: 15000 } }),
  );
  must(await till.POST("/v1/operations/{id}/confirm", { params: { path: { id: topUp.id } } }));

  // 5. A purchase of 47.00 paid with credit, earning points: held first ...
  const sale = must(
    await till.POST("/v1/operations", {
      params: { header: { "Idempotency-Key": `sale-${card}` } },
      body: { type: "purchase", card, cheque: { number: "A-1001", total: 4700 }, payments: [{ method: "credit", amount: 4700 }], accrue_points: true },
    }),
  );
  // A refusal is typed by its code: a second sale over the balance is insufficient_funds, with what is available.
  const tooMuch = await till.POST("/v1/operations", {
    params: { header: { "Idempotency-Key": `big-${card}` } },
    body: { type: "purchase", card, cheque: { number: "A-1002", total: 20000 }, payments: [{ method: "credit", amount: 20000 }] },
  });
  if (tooMuch.error?.error.code !== "insufficient_funds") throw new Error("a sale over the balance was not refused");

  // 6. ... then confirmed: the hold becomes a journal entry and 47 points are credited.
  must(await till.POST("/v1/operations/{id}/confirm", { params: { path: { id: sale.id } } }));
  const after = must(await office.GET("/v1/members/{id}", { params: { path: { id: member.id } } }));
  const history = must(await office.GET("/v1/members/{id}/history", { params: { path: { id: member.id }, query: { limit: 20 } } }));
  return {
    credit: after.balances.credit,
    points: after.balances.points.balance,
    history: history.data.map((entry) => [entry.kind, entry.method, entry.amount, entry.balance_after]),
  };
}

// Run from the command line: node examples/tour.ts [baseUrl] [platformToken]
if (typeof process !== "undefined" && process.argv[1]?.endsWith("tour.ts")) {
  tour(process.argv[2] ?? "http://127.0.0.1:8787", process.argv[3] ?? "dev-platform-token").then((result) => console.log(JSON.stringify(result, null, 2)));
}
