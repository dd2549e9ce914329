/**
 * Model-based test of the AccountDO: random sequences of create, confirm, cancel, expiry, refund, card block /
 * unblock / replace, approval request and answer, and batches of concurrent holds, run against the real object and a
 * small reference model. After every step the invariants hold and the object agrees with the model.
 * `npm test` runs MODEL_RUNS (200) sequences; `npm run test:deep` runs 10,000.
 */
import { env } from "cloudflare:workers";
import { answerOf, textOf } from "../src/lib/outcome";
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import type { AccountRef } from "../src/accounts/account-ref";

import type { OperationPolicy } from "../src/accounts/ledger";
import type { Method, OperationRequest } from "../src/accounts/operation";
import type { Who } from "../src/audit/audit-entry";
import { randomIdBody } from "../src/lib/ids";
import regressions from "./model-regressions.json";
import { accountOf } from "../src/objects";

type Status = "pending" | "confirmed" | "cancelled" | "expired";
interface ModelOp {
  id: string;
  type: OperationRequest["type"];
  card: string;
  status: Status;
  holds: Partial<Record<Method, number>>;
  credits: Partial<Record<Method, number>>;
  expiresAt: number;
  total: number;
  payments: { method: Method; amount: number }[];
  /** A purchase's refunds: the cheque amount they claim, and per method what they give back and take back. */
  refunded: number;
  given?: Partial<Record<Method, number>>;
  taken?: number;
  /** A refund: what it kept per method for accrued points already spent, and how many points that settled. */
  kept?: Partial<Record<Method, number>>;
  settled?: number;
  original?: string;
  approval: "none" | "required" | "pending" | "approved" | "rejected";
}
interface Model {
  now: number;
  balances: Record<Method, number>;
  ops: ModelOp[];
  cards: Map<string, "active" | "blocked" | "replaced">;
  current: string;
  nextCard: number;
}
interface Real {
  stub: ReturnType<typeof accountOf>;
  account: AccountRef;
  memberBody: string;
  serial: number;
}

const METHODS: Method[] = ["credit", "cashback", "points"];
const TTL = 600;
const policy: OperationPolicy = {
  approval_required_for: ["cashback"],
  points_per_currency_unit: 1,
  point_value: 1,
  hold_ttl_seconds: TTL,
  minor_digits: 2,
  sms_confirm_points_deduction: false,
};

const held = (model: Model, method: Method) =>
  model.ops.filter((op) => op.status === "pending").reduce((sum, op) => sum + (op.holds[method] ?? 0), 0);
const available = (model: Model, method: Method) => model.balances[method] - held(model, method);

function expireDue(model: Model) {
  for (const op of model.ops) if (op.status === "pending" && op.expiresAt <= model.now) close(model, op, "expired");
}

function close(model: Model, op: ModelOp, status: "cancelled" | "expired") {
  op.status = status;
  if (op.type === "refund") {
    // A cancelled or expired refund frees exactly what it claimed.
    const original = model.ops.find((o) => o.id === op.original)!;
    original.refunded -= op.total;
    for (const m of METHODS) original.given![m] = (original.given![m] ?? 0) - (op.credits[m] ?? 0) - (op.kept?.[m] ?? 0);
    original.taken! -= (op.holds.points ?? 0) + (op.settled ?? 0);
  }
  if (op.approval === "pending") op.approval = "none";
}

/** The model's own share rule: what the cumulative refunded part of the cheque is worth, less what is claimed already. */
const cumulativeShare = (part: number, total: number, refundedAfter: number, claimed: number) =>
  Math.max(0, Math.floor((part * refundedAfter) / total) - claimed);

function newId(real: Real) {
  real.serial += 1;
  return `op_${real.memberBody}${String(real.serial).padStart(16, "0")}`;
}

async function create(model: Model, real: Real, request: OperationRequest) {
  const id = newId(real);
  const answer = answerOf(await real.stub.createOperation(real.account, {
    id,
    fingerprint: id,
    member_id: real.account.member_id,
    store_id: "sto_model",
    register_id: "reg_model",
    // Arbitraries may carry extras RPC cannot clone: send plain JSON, as a route would.
    request: JSON.parse(JSON.stringify(request)) as OperationRequest,
    policy,
    now: model.now,
  }), 201);
  return { id, answer };
}

/** Whether the model accepts a hold/credit plan, and why not. */
function admit(model: Model, card: string | null, holds: Partial<Record<Method, number>>): number {
  if (card !== null && model.cards.get(card) !== "active") return 409;
  return METHODS.some((m) => (holds[m] ?? 0) > available(model, m)) ? 409 : 201;
}

class TopUp implements fc.AsyncCommand<Model, Real> {
  constructor(readonly amount: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    expireDue(model);
    const { id, answer } = await create(model, real, { type: "top_up", card: model.current, method: "credit", amount: this.amount });
    const expected = admit(model, model.current, {});
    expect(answer.status).toBe(expected);
    if (expected === 201) {
      model.ops.push({ id, type: "top_up", card: model.current, status: "pending", holds: {}, credits: { credit: this.amount }, expiresAt: model.now + TTL * 1000, total: 0, payments: [], refunded: 0, approval: "none" });
    }
  }
  toString = () => `TopUp(${this.amount})`;
}

/** A confirmed manual accrual: gives the account money and points to spend. */
class Fund implements fc.AsyncCommand<Model, Real> {
  constructor(readonly method: Method, readonly amount: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    expireDue(model);
    const { id, answer } = await create(model, real, { type: "manual_accrual", card: model.current, method: this.method, amount: this.amount, reason: "fund" });
    const expected = admit(model, model.current, {});
    expect(answer.status).toBe(expected);
    if (expected !== 201) return;
    expect((answerOf(await real.stub.confirm(id, {}, model.now), 200)).status).toBe(200);
    model.ops.push({ id, type: "manual_accrual", card: model.current, status: "confirmed", holds: {}, credits: { [this.method]: this.amount }, expiresAt: model.now + TTL * 1000, total: 0, payments: [], refunded: 0, approval: "none" });
    model.balances[this.method] += this.amount;
  }
  toString = () => `Fund(${this.method},${this.amount})`;
}

class Purchase implements fc.AsyncCommand<Model, Real> {
  constructor(readonly payments: { method: Method; amount: number }[], readonly extra: number, readonly accrue: boolean) {}
  check = () => true;
  async run(model: Model, real: Real) {
    expireDue(model);
    const total = this.payments.reduce((s, p) => s + p.amount, 0) + this.extra;
    const { id, answer } = await create(model, real, { type: "purchase", card: model.current, cheque: { number: "M", total }, payments: this.payments, accrue_points: this.accrue });
    const holds = Object.fromEntries(this.payments.map((p) => [p.method, p.amount]));
    const expected = admit(model, model.current, holds);
    expect(answer.status).toBe(expected);
    if (expected !== 201) return;
    const pointsPaid = holds.points ?? 0;
    const accrual = this.accrue ? Math.floor(Math.max(0, total - pointsPaid) / 100) : 0;
    model.ops.push({
      id,
      type: "purchase",
      card: model.current,
      status: "pending",
      holds,
      credits: accrual > 0 ? { points: accrual } : {},
      expiresAt: model.now + TTL * 1000,
      total,
      payments: this.payments,
      refunded: 0,
      approval: (holds.cashback ?? 0) > 0 ? "required" : "none",
    });
  }
  toString = () => `Purchase(${JSON.stringify(this.payments)}+${this.extra},${this.accrue})`;
}

/** Confirms an operation in the real object and in the model, expecting what the model says the answer is. */
async function confirmBoth(model: Model, real: Real, op: ModelOp) {
  const answer = answerOf(await real.stub.confirm(op.id, {}, model.now), 200);
  if (op.status === "confirmed") return void expect(answer.status).toBe(200);
  if (op.status !== "pending") return void expect(answer.status).toBe(409);
  if (op.approval === "required" || op.approval === "pending" || op.approval === "rejected") return void expect(answer.status).toBe(409);
  expect(answer.status).toBe(200);
  op.status = "confirmed";
  for (const m of METHODS) model.balances[m] += (op.credits[m] ?? 0) - (op.holds[m] ?? 0);
}

async function cancelBoth(model: Model, real: Real, op: ModelOp) {
  const answer = answerOf(await real.stub.cancel(op.id, {}, model.now), 200);
  expect(answer.status).toBe(op.status === "confirmed" ? 409 : 200);
  if (op.status === "pending") close(model, op, "cancelled");
}

class Confirm implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.ops.length > 0;
  async run(model: Model, real: Real) {
    expireDue(model);
    await confirmBoth(model, real, model.ops[this.pick % model.ops.length]);
  }
  toString = () => `Confirm(${this.pick})`;
}

class Cancel implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.ops.length > 0;
  async run(model: Model, real: Real) {
    expireDue(model);
    await cancelBoth(model, real, model.ops[this.pick % model.ops.length]);
  }
  toString = () => `Cancel(${this.pick})`;
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly seconds: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    model.now += this.seconds * 1000;
    expireDue(model);
    // Any call expires what is due; the alarm would do the same.
    await real.stub.summary(real.account, model.now);
  }
  toString = () => `Advance(${this.seconds}s)`;
}

class Refund implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number, readonly amount: number) {}
  check = (model: Readonly<Model>) => model.ops.some((op) => op.type === "purchase");
  async run(model: Model, real: Real) {
    expireDue(model);
    const purchases = model.ops.filter((op) => op.type === "purchase");
    const original = purchases[this.pick % purchases.length];
    // Mostly within what is left to refund, sometimes just past it.
    const refundAmount = 1 + (this.amount % Math.max(1, original.total - original.refunded + 1));
    const { id, answer } = await create(model, real, { type: "refund", original_operation_id: original.id, amount: refundAmount });
    if (original.status !== "confirmed") return void expect(answer.status).toBe(409);
    if (refundAmount > original.total - original.refunded) return void expect(answer.status).toBe(422);
    expect(answer.status).toBe(201);
    const after = original.refunded + refundAmount;
    original.given ??= {};
    original.taken ??= 0;
    const gross: Partial<Record<Method, number>> = {};
    for (const p of original.payments) {
      const back = cumulativeShare(p.amount, original.total, after, original.given[p.method] ?? 0);
      if (back > 0) gross[p.method] = back;
    }
    const due = cumulativeShare(original.credits.points ?? 0, original.total, after, original.taken);
    const takeBack = Math.min(due, Math.max(0, available(model, "points")));
    // Spent points (point_value 1 here): kept point for point from points given back, then a cent each from credit, then cashback.
    let short = due - takeBack;
    const kept: Partial<Record<Method, number>> = {};
    for (const m of ["points", "credit", "cashback"] as const) {
      const k = Math.min(short, gross[m] ?? 0);
      if (k > 0) kept[m] = k;
      short -= k;
    }
    // What Tillsafe methods could not cover, the till keeps from cash: the refund settles every point due.
    const settled = due - takeBack;
    const outside = short;
    const credits: Partial<Record<Method, number>> = {};
    for (const m of METHODS) if ((gross[m] ?? 0) - (kept[m] ?? 0) > 0) credits[m] = gross[m]! - (kept[m] ?? 0);
    const made = JSON.parse(textOf(answer));
    expect(made.accrual).toEqual({ points: 0 - takeBack || 0, points_short: due - takeBack });
    expect([made.deducted_for_points, made.withhold_outside]).toEqual([settled, outside]);
    original.refunded = after;
    for (const m of METHODS) original.given[m] = (original.given[m] ?? 0) + (gross[m] ?? 0);
    original.taken += takeBack + settled;
    model.ops.push({ id, type: "refund", card: original.card, status: "pending", holds: takeBack > 0 ? { points: takeBack } : {}, credits, kept, settled, expiresAt: model.now + TTL * 1000, total: refundAmount, payments: [], refunded: 0, original: original.id, approval: "none" });
  }
  toString = () => `Refund(${this.pick},${this.amount})`;
}

/** Confirms or cancels a pending refund: the interleavings where shares could overlap. */
class RefundStep implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number, readonly confirm: boolean) {}
  check = (model: Readonly<Model>) => model.ops.some((op) => op.type === "refund");
  async run(model: Model, real: Real) {
    expireDue(model);
    const refunds = model.ops.filter((op) => op.type === "refund");
    const op = refunds[this.pick % refunds.length];
    await (this.confirm ? confirmBoth : cancelBoth)(model, real, op);
  }
  toString = () => `RefundStep(${this.pick},${this.confirm ? "confirm" : "cancel"})`;
}

/** The back office changing a card (the actor its audit entry names). */
const backOffice = (real: Real): Who => ({ tenant_id: real.account.tenant_id, actor: "sk_model", actor_type: "secret_key" });

class Block implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real) {
    expireDue(model);
    const answer = answerOf(await real.stub.blockCard(real.account, model.current, "lost", backOffice(real), model.now), 200);
    expect(answer.status).toBe(200);
    if (model.cards.get(model.current) === "active") {
      model.cards.set(model.current, "blocked");
      for (const op of model.ops) if (op.status === "pending" && op.card === model.current) close(model, op, "cancelled");
    }
  }
  toString = () => "Block";
}

class Unblock implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real) {
    expireDue(model);
    const answer = answerOf(await real.stub.unblockCard(real.account, model.current, backOffice(real), model.now), 200);
    expect(answer.status).toBe(200);
    model.cards.set(model.current, "active");
  }
  toString = () => "Unblock";
}

class Replace implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real) {
    expireDue(model);
    model.nextCard += 1;
    const next = `9${String(model.nextCard).padStart(7, "0")}`;
    const answer = answerOf(await real.stub.replaceCard(real.account, model.current, next, true, backOffice(real), model.now), 200);
    expect(answer.status).toBe(200);
    for (const op of model.ops) if (op.status === "pending" && op.card === model.current) close(model, op, "cancelled");
    model.cards.set(model.current, "replaced");
    model.cards.set(next, "active");
    model.current = next;
  }
  toString = () => "Replace";
}

class Approval implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number, readonly approve: boolean) {}
  check = (model: Readonly<Model>) => model.ops.some((op) => op.approval !== "none");
  async run(model: Model, real: Real) {
    expireDue(model);
    const needing = model.ops.filter((op) => op.approval !== "none");
    const op = needing[this.pick % needing.length];
    const sent = answerOf(await real.stub.requestApproval(op.id, {}, { resend: false, store_name: "S", register_name: "R" }, model.now), 201);
    if (op.status !== "pending" || op.approval === "approved" || op.approval === "pending") return void expect(sent.status).toBe(409);
    expect(sent.status).toBe(201);
    const request = (sent as { body: { request: { id: string } } }).body.request;
    const answered = answerOf(await real.stub.answerApproval(request.id, this.approve ? "approve" : "reject", model.now), 200);
    expect(answered.status).toBe(200);
    op.approval = this.approve ? "approved" : "rejected";
  }
  toString = () => `Approval(${this.pick},${this.approve})`;
}

class ConcurrentHolds implements fc.AsyncCommand<Model, Real> {
  constructor(readonly count: number, readonly amount: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    expireDue(model);
    const request = { type: "purchase" as const, card: model.current, cheque: { number: "C", total: this.amount }, payments: [{ method: "credit" as Method, amount: this.amount }] };
    const answers = await Promise.all(Array.from({ length: this.count }, () => create(model, real, request)));
    const fits = model.cards.get(model.current) === "active" ? Math.min(this.count, Math.floor(available(model, "credit") / this.amount)) : 0;
    const accepted = answers.filter((a) => a.answer.status === 201);
    expect(accepted).toHaveLength(fits);
    for (const { id } of accepted) {
      model.ops.push({ id, type: "purchase", card: model.current, status: "pending", holds: { credit: this.amount }, credits: {}, expiresAt: model.now + TTL * 1000, total: this.amount, payments: request.payments, refunded: 0, approval: "none" });
    }
  }
  toString = () => `ConcurrentHolds(${this.count}x${this.amount})`;
}

const amount = fc.integer({ min: 1, max: 5000 });
const payment = (method: Method) => fc.record({ method: fc.constant(method), amount: fc.integer({ min: 1, max: 1500 }) });
const purchase = fc
  .tuple(fc.subarray(METHODS, { minLength: 0, maxLength: 3 }), fc.integer({ min: 0, max: 2000 }), fc.boolean())
  .chain(([methods, extra, accrue]) => fc.tuple(...methods.map(payment)).map((payments) => new Purchase(payments, extra, accrue)));
const commands = [
  fc.tuple(fc.constantFrom(...METHODS), fc.integer({ min: 500, max: 5000 })).map(([m, a]) => new Fund(m, a)),
  fc.tuple(fc.constantFrom(...METHODS), fc.integer({ min: 500, max: 5000 })).map(([m, a]) => new Fund(m, a)),
  amount.map((a) => new TopUp(a)),
  purchase,
  fc.nat().map((n) => new Confirm(n)),
  fc.nat().map((n) => new Confirm(n)),
  fc.nat().map((n) => new Cancel(n)),
  fc.integer({ min: 1, max: 900 }).map((s) => new Advance(s)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3000 })).map(([n, a]) => new Refund(n, a)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3000 })).map(([n, a]) => new Refund(n, a)),
  fc.tuple(fc.nat(), fc.boolean()).map(([n, c]) => new RefundStep(n, c)),
  fc.tuple(fc.nat(), fc.boolean()).map(([n, c]) => new RefundStep(n, c)),
  fc.nat().map((n) => new Cancel(n)),
  fc.nat().map((n) => new Confirm(n)),
  fc.constant(new Block()),
  fc.constant(new Unblock()),
  fc.constant(new Replace()),
  fc.tuple(fc.nat(), fc.boolean()).map(([n, approve]) => new Approval(n, approve)),
  fc.tuple(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 100, max: 3000 })).map(([c, a]) => new ConcurrentHolds(c, a)),
];

/** The invariants of ARCHITECTURE.md, and agreement with the model. */
async function checkAgreement(model: Model, real: Real) {
  const audit = await real.stub.audit();
  for (const m of METHODS) {
    expect(audit.balances[m]).toBe(audit.journalSums[m]);
    expect(audit.balances[m] - audit.held[m]).toBeGreaterThanOrEqual(0);
    expect(audit.balances[m]).toBe(model.balances[m]);
    expect(audit.held[m]).toBe(held(model, m));
  }
  // No purchase ever gives back more of a method than it took, nor takes back more points than it accrued.
  const originalOf = new Map(model.ops.filter((op) => op.original).map((op) => [op.id, op.original!]));
  const back = new Map<string, Record<string, number>>();
  for (const entry of audit.journal) {
    const original = originalOf.get(entry.operation_id);
    if (!original) continue;
    const sums = back.get(original) ?? {};
    // A refund's positive entries give back; its negative one (accrual_reversal) takes accrued points back.
    const what = entry.amount > 0 ? entry.method : "taken";
    sums[what] = (sums[what] ?? 0) + Math.abs(entry.amount);
    back.set(original, sums);
  }
  for (const [id, sums] of back) {
    const original = model.ops.find((op) => op.id === id)!;
    for (const p of original.payments) expect(sums[p.method] ?? 0).toBeLessThanOrEqual(p.amount);
    for (const m of METHODS) if (!original.payments.some((p) => p.method === m)) expect(sums[m] ?? 0).toBe(0);
    expect(sums.taken ?? 0).toBeLessThanOrEqual(original.credits.points ?? 0);
  }
  const confirmed = new Set(audit.journal.map((e) => e.operation_id));
  for (const op of model.ops) expect(confirmed.has(op.id)).toBe(op.status === "confirmed" && (Object.keys(op.holds).length > 0 || Object.values(op.credits).some((v) => v! > 0)));
}

/** Refunds of a few purchases, created, confirmed, cancelled and expired in every order. */
const refundCommands = [
  fc.tuple(fc.constantFrom(...METHODS), fc.integer({ min: 500, max: 5000 })).map(([m, a]) => new Fund(m, a)),
  purchase,
  fc.nat().map((n) => new Confirm(n)),
  fc.nat().map((n) => new Confirm(n)),
  ...Array.from({ length: 3 }, () => fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3000 })).map(([n, a]) => new Refund(n, a))),
  ...Array.from({ length: 4 }, () => fc.tuple(fc.nat(), fc.boolean()).map(([n, c]) => new RefundStep(n, c))),
  fc.integer({ min: 60, max: 900 }).map((s) => new Advance(s)),
];

const property = modelProperty(commands);
const refundProperty = modelProperty(refundCommands);

function modelProperty(from: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[]) {
  return fc.asyncProperty(fc.commands(from, { maxCommands: 40, size: "large" }), async (cmds) => {
  const memberBody = randomIdBody();
  const account = { tenant_id: "ten_modelmodelmodel", member_id: `mem_${memberBody}` };
  const card = "10000000";
  const real: Real = { stub: accountOf(env, account), account, memberBody, serial: 0 };
  await real.stub.addCard(account, card);
  const model: Model = { now: Date.now(), balances: { credit: 0, cashback: 0, points: 0 }, ops: [], cards: new Map([[card, "active"]]), current: card, nextCard: 0 };
  await fc.asyncModelRun(
    () => ({ model, real }),
    [...cmds].flatMap((command) => [
      command,
      { check: () => true, run: (m: Model, r: Real) => checkAgreement(m, r), toString: () => "·" } as fc.AsyncCommand<Model, Real>,
    ]),
  );
  });
}

describe("AccountDO against a reference model", () => {
  it(`agrees with the model over ${inject("modelRuns")} random sequences`, async () => {
    await fc.assert(property, { numRuns: inject("modelRuns"), verbose: 1 });
    // About 70 ms a sequence here: the deep run (10,000) gets room in proportion, the CI run at least 10 minutes.
  }, Math.max(600_000, inject("modelRuns") * 150));

  it(`agrees with the model over ${inject("modelRuns")} sequences of refunds interleaved`, async () => {
    await fc.assert(refundProperty, { numRuns: inject("modelRuns"), verbose: 1 });
  }, Math.max(600_000, inject("modelRuns") * 150));

  for (const regression of regressions as { seed: number; path: string; note: string }[]) {
    it(`regression: ${regression.note}`, async () => {
      await fc.assert(property, { seed: regression.seed, path: regression.path, numRuns: 1 });
    });
  }
});
