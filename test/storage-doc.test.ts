/** docs/storage.md says what every table holds: a table made without its row there fails this test. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AccountDO } from "../src/accounts/account-do";
import { account, api, approvalRequest, createOperation, createShop, requireApproval, topUp } from "./helpers";
import STORAGE from "../docs/storage.md";
import { ACCOUNT_SCHEMA } from "../src/accounts/account-schema";
import { STORE_SCHEMA } from "../src/stores/store-do";
import { TENANT_SCHEMA } from "../src/tenants/tenant-do";

const tablesIn = (sql: string) => [...sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?([a-z_]+)"?/gi)].map((match) => match[1]);

/** The part of storage.md under the heading that starts with `title`, up to the next heading of its level. */
function section(title: string): string {
  const start = STORAGE.indexOf(`\n## ${title}`);
  if (start < 0) throw new Error(`docs/storage.md has no section "${title}"`);
  const end = STORAGE.indexOf("\n## ", start + 4);
  return STORAGE.slice(start, end < 0 ? undefined : end);
}

/** The tables a section names in the first cell of a table row (one row may name several: `stores`, `registers`). */
const rowsOf = (text: string) =>
  new Set(
    text
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .flatMap((line) => [...line.split("|")[1].matchAll(/`([a-z_]+)`/g)].map((match) => match[1])),
  );

describe("docs/storage.md", () => {
  it("has a row for every table of every object and of D1", () => {
    const homes: [string, string[]][] = [
      ["Inside each `AccountDO`", tablesIn(ACCOUNT_SCHEMA)],
      ["Inside each `StoreDO`", tablesIn(STORE_SCHEMA)],
      ["Inside each `TenantDO`", tablesIn(TENANT_SCHEMA)],
      ["D1", env.TEST_MIGRATIONS.flatMap((migration) => migration.queries.flatMap(tablesIn))],
    ];
    const missing = homes.flatMap(([title, tables]) => {
      const documented = rowsOf(section(title));
      return tables.filter((table) => !documented.has(table)).map((table) => `${title}: ${table}`);
    });
    expect(homes.map(([, tables]) => tables.length).every((n) => n > 1)).toBe(true);
    expect(missing).toEqual([]);
  });

  it("its example of an operation record has the fields of a real one", async () => {
    const example = JSON.parse(/An operation's `record`[\s\S]*?```json\n([\s\S]*?)```/.exec(STORAGE)![1]) as { operation: object };
    // A purchase like the example's: paid in credit with the member's approval (a test phone that approves), points earned.
    const shop = await createShop({ livemode: false, phone: "+15005550001" });
    await topUp(shop, 4000);
    await requireApproval(shop);
    await api("POST", "/v1/limits", { token: shop.secret, body: { scope: "card", metric: "deducted_amount", method: "credit", period: "day", hard: 100000 } });
    const held = await createOperation(shop, { type: "purchase", card: shop.card, cheque: { number: "R-1042", total: 1250 }, payments: [{ method: "credit", amount: 1000 }], accrue_points: true });
    expect((await approvalRequest(shop, held.body.id)).status).toBe(201);
    for (let i = 0; i < 50 && (await api("GET", `/v1/operations/${held.body.id}`, { token: shop.terminal })).body.authorization.status !== "approved"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await api("POST", `/v1/operations/${held.body.id}/confirm`, { token: shop.terminal })).body.status).toBe("confirmed");
    const record = await runInDurableObject(account(shop), (instance: AccountDO, state) =>
      JSON.parse(state.storage.sql.exec<{ record: string }>("SELECT record FROM operations WHERE id = ?", held.body.id).one().record),
    );
    expect(Object.keys(example).sort()).toEqual(Object.keys(record).sort());
    expect(Object.keys(example.operation).sort()).toEqual(Object.keys(record.operation).sort());
  });
});
