// An operation's D1 row keeps its base once and each event keeps its moment: read back, every event and the row
// are the operation exactly as it was at that moment (src/history/operation-moments.ts).
import { describe, expect, it } from "vitest";
import type { Operation } from "../src/accounts/operation";
import { baseOf, baseOfNew, eventAt, momentOf, operationAt, shardRows, wholeEvent, columnsOf } from "../src/history/operation-moments";

const made: Operation = {
  id: "op_d5w6450vxy8y5rg5amcnqv06rq8ctd40",
  type: "purchase",
  status: "pending",
  member_id: "mem_d5w6450vxy8y5rg5",
  store_id: "sto_1",
  register_id: "reg_1",
  created_at: "2026-12-08T01:23:15.267Z",
  updated_at: "2026-12-08T01:23:15.267Z",
  expires_at: "2026-12-08T01:38:15.267Z",
  confirmed_at: null,
  cancelled_at: null,
  card: "7200000000000001",
  cheque: { number: "C-1", total: 1000 },
  payments: [{ method: "credit", amount: 1000 }],
  accrue_points: true,
  accrual: { points: 10 },
  authorization: { method: "approval", status: "pending" } as Operation["authorization"],
};
const confirmed: Operation = { ...made, status: "confirmed", updated_at: "2026-12-08T01:23:16.000Z", confirmed_at: "2026-12-08T01:23:16.000Z", authorization: { method: "approval", status: "approved" } as Operation["authorization"] };
const eventId = (step = "") => `evt_${made.id.slice(3)}${step}`;

describe("an operation's moments", () => {
  it("reads back each version exactly, in the API's order of fields, from its base and its moment", () => {
    const base = baseOfNew(made);
    expect(Object.keys(base)).not.toContain("id");
    for (const version of [made, confirmed]) {
      const read = operationAt(columnsOf(version), base, momentOf(version, base));
      expect(read).toEqual(version);
      expect(JSON.stringify(read)).toBe(JSON.stringify(version));
    }
    expect(momentOf(made, base)).toEqual({});
    expect(momentOf(confirmed, base)).toEqual({ status: "confirmed", updated_at: confirmed.updated_at, confirmed_at: confirmed.confirmed_at, authorization: confirmed.authorization });
  });

  it("keeps a field the operation no longer has out of what it reads back", () => {
    const base = baseOfNew(made);
    const { accrual: _gone, ...changed } = { ...made, accrue_points: false, payments: [{ method: "points" as const, amount: 500 }] };
    const moment = momentOf(changed as Operation, base);
    expect(moment).toEqual({ accrue_points: false, payments: [{ method: "points", amount: 500 }], "-": ["accrual"] });
    expect(operationAt(columnsOf(made), base, moment)).toEqual(changed);
  });

  it("gives a record of before bases were kept the same base at every version: the fields its steps change left out", () => {
    expect(baseOf({ operation: made })).toEqual(baseOf({ operation: confirmed }));
    expect(baseOf({ operation: made })).not.toHaveProperty("status");
    const kept = baseOfNew(made);
    expect(baseOf({ operation: confirmed, base: kept })).toBe(kept);
  });
});

describe("a shard's rows for a batch", () => {
  const created = { id: eventId("_created"), type: "operation.created", created_at: made.created_at, data: { operation: made } };
  const confirmedEvent = { id: eventId(), type: "operation.confirmed", created_at: confirmed.updated_at, data: { operation: confirmed } };
  const alert = { id: "evt_alert1", type: "alert.raised", created_at: made.created_at, data: { alert: { id: "alr_1" } } };

  it("keeps the operation once: operation.created on its row, operation.confirmed as its moment, any other event whole", () => {
    const rows = shardRows([{ version: 2, operation: confirmed, base: baseOfNew(made) }], [created, confirmedEvent, alert], false);
    expect(rows.operations).toHaveLength(1);
    const [row] = rows.operations;
    expect(row).toMatchObject({ id: made.id, status: "confirmed", version: 2, created: {} });
    expect(row.moment).toEqual(momentOf(confirmed, baseOfNew(made)));
    expect(rows.log.map((e) => e.id)).toEqual([confirmedEvent.id, alert.id]);
    const moment = JSON.parse(rows.log[0].payload);
    expect(moment).toEqual({ at: made.created_at, moment: momentOf(confirmed, baseOfNew(made)) });
    expect(eventAt(confirmedEvent, operationAt(columnsOf(made), row.body, moment.moment), false)).toEqual(wholeEvent(confirmedEvent, false));
    expect(eventAt(created, operationAt(columnsOf(made), row.body, row.created!), false)).toEqual(wholeEvent(created, false));
    expect(JSON.parse(rows.log[1].payload)).toEqual({ ...alert, data: { alert: { id: "alr_1", livemode: false } }, livemode: false });
  });

  it("logs an operation's event whole when the operation did not come with it", () => {
    const rows = shardRows([], [confirmedEvent], true);
    expect(rows.operations).toEqual([]);
    expect(JSON.parse(rows.log[0].payload)).toEqual(wholeEvent(confirmedEvent, true));
    expect(JSON.parse(rows.log[0].payload).data.operation.livemode).toBe(true);
  });

  it("keeps an operation shipped without its base (by an account of before) whole, and its events whole", () => {
    const rows = shardRows([{ version: 2, operation: confirmed }], [created, confirmedEvent], true);
    expect(rows.operations[0]).toEqual({ ...columnsOf(confirmed), status: "confirmed", version: 2, body: confirmed });
    expect(rows.log.map((e) => JSON.parse(e.payload))).toEqual([wholeEvent(created, true), wholeEvent(confirmedEvent, true)]);
  });

  it("ships an operation's newest version when a batch has it twice, in any order", () => {
    const base = baseOfNew(made);
    for (const order of [[confirmed, made], [made, confirmed]]) {
      const rows = shardRows(order.map((operation) => ({ version: operation === confirmed ? 2 : 1, operation, base })), [], true);
      expect(rows.operations.map((r) => [r.version, r.status])).toEqual([[2, "confirmed"]]);
    }
  });
});
