/**
 * How D1 keeps an operation and the `operation.*` events about it without copying its body into each (issue 29).
 *
 * An operation's **base** is the operation as it was made, less what its row keeps in columns (id, type, member,
 * store, register, creation time); it never changes, so it is stored once, in the operation's row. A **moment** is
 * what differs from the base at one point of the operation's life: its row keeps the moment of its latest version,
 * and each event keeps the moment it reports (`operation.created`, made with the operation, has none to keep: its row
 * says so). Reading puts base and moment back together as the operation was. Pure.
 *
 * The base must stay the same for the operation's whole life: the account keeps it in the operation's record when the
 * operation is made (`OperationRecord.base`). A record made before that has none: its base is then the operation less
 * the fields its steps change, which is the same at every version — until a purchase change, which keeps the base of
 * before in the record.
 */
import type { Operation, OperationRecord } from "../accounts/operation";

/** What an operation's row keeps in its own columns. */
const ROW_FIELDS = ["id", "type", "member_id", "store_id", "register_id", "created_at"] as const;
/** What an operation's steps (confirm, cancel, expiry, approval) change. */
const STEP_FIELDS = ["status", "updated_at", "confirmed_at", "cancelled_at", "authorization"] as const;
/** The key a moment lists the base's fields under that the operation no longer has. */
const GONE = "-";

export type OperationBase = Record<string, unknown>;
export type Moment = Record<string, unknown>;
/** The columns of an operation's row that the base leaves out. */
export type OperationColumns = Pick<Operation, (typeof ROW_FIELDS)[number]>;

const without = (operation: object, fields: readonly string[]): OperationBase =>
  Object.fromEntries(Object.entries(operation).filter(([key]) => !fields.includes(key)));

/** The base of an operation as it is made. */
export const baseOfNew = (operation: Operation): OperationBase => without(operation, ROW_FIELDS);

/** The base an operation's record keeps, or — a record made before bases were kept — the one every version shares. */
export const baseOf = (record: Pick<OperationRecord, "operation" | "base">): OperationBase =>
  record.base ?? without(record.operation, [...ROW_FIELDS, ...STEP_FIELDS]);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What `operation` has that differs from `base`, and the base's fields it no longer has. */
export function momentOf(operation: Operation, base: OperationBase): Moment {
  const moment: Moment = {};
  for (const [key, value] of Object.entries(without(operation, ROW_FIELDS))) if (!(key in base) || !same(value, base[key])) moment[key] = value;
  const gone = Object.keys(base).filter((key) => !(key in operation));
  if (gone.length > 0) moment[GONE] = gone;
  return moment;
}

/** The order the API answers an operation's fields in: these first, `authorization` last, the rest as the base has them. */
const LEADING = ["id", "type", "status", "member_id", "store_id", "register_id", "created_at", "updated_at", "expires_at", "confirmed_at", "cancelled_at"];

/** The operation a row's columns, its base and a moment describe. */
export function operationAt(columns: OperationColumns, base: OperationBase, moment: Moment): Operation {
  const gone = new Set((moment[GONE] as string[] | undefined) ?? []);
  const fields: Record<string, unknown> = { ...base, ...moment, ...columns };
  delete fields[GONE];
  const ordered: Record<string, unknown> = {};
  for (const key of LEADING) if (key in fields && !gone.has(key)) ordered[key] = fields[key];
  for (const [key, value] of Object.entries(fields)) if (!(key in ordered) && key !== "authorization" && !gone.has(key)) ordered[key] = value;
  if ("authorization" in fields && !gone.has("authorization")) ordered.authorization = fields.authorization;
  return ordered as unknown as Operation;
}

/** An operation's columns, for its row. */
export const columnsOf = (operation: Operation): OperationColumns => ({
  id: operation.id,
  type: operation.type,
  member_id: operation.member_id,
  store_id: operation.store_id,
  register_id: operation.register_id,
  created_at: operation.created_at,
});

/**
 * An operation's D1 row: its columns, state and version, then either its base and the moment of this version (and,
 * when the operation.created event came with it, that event's moment), or — shipped by an account that kept no
 * base — the whole operation in `body` and no moment, as rows of before migration 0022 are.
 */
export interface OperationRow extends OperationColumns {
  status: string;
  version: number;
  body: OperationBase;
  moment?: Moment;
  created?: Moment;
}

/** An event as its log row keeps it: a reference to its operation's row and its moment, or the whole event. */
export interface LoggedEvent {
  id: string;
  type: string;
  created_at: string;
  payload: string;
}

/** What an event's log row keeps of an operation whose row is beside it: the row's creation time, and the moment. */
export interface EventMoment {
  at: string;
  moment: Moment;
}

type EventOfOperation = { id: string; type: string; created_at: string; data: object };

/** The operation an event is about, when it is an `operation.*` event of that operation (its id says so). */
function aboutOperation(event: EventOfOperation): Operation | null {
  const operation = (event.data as { operation?: Operation }).operation;
  if (!event.type.startsWith("operation.") || !operation) return null;
  return eventOperationId(event.id) === operation.id ? operation : null;
}

/** The operation an `operation.*` event's id names (`evt_<id>`, `evt_<id>_<step>`; src/lib/ids.ts). */
export const eventOperationId = (eventId: string) => `op_${eventId.slice(4, 36)}`;

/**
 * A shard's rows for what a batch ships: each operation's row (its newest version in the batch), and each event's log
 * row. An `operation.*` event of an operation shipped with its base keeps only its moment (the row holds the rest);
 * its `operation.created` keeps no row of its own (the operation's row lists it). Any other event — and every event
 * of an operation shipped without its base (an account of before) — keeps its whole JSON with the tenant's `livemode`.
 */
export function shardRows(
  operations: { version: number; operation: Operation; base?: OperationBase }[],
  events: EventOfOperation[],
  livemode: boolean,
): { operations: OperationRow[]; log: LoggedEvent[] } {
  const rows = new Map<string, OperationRow>();
  for (const { version, operation, base } of operations) {
    const shipped = rows.get(operation.id);
    if (shipped && shipped.version >= version) continue;
    const row = base
      ? { ...columnsOf(operation), status: operation.status, version, body: base, moment: momentOf(operation, base) }
      : { ...columnsOf(operation), status: operation.status, version, body: { ...operation } };
    rows.set(operation.id, row);
  }
  const log: LoggedEvent[] = [];
  for (const event of events) {
    const operation = aboutOperation(event);
    const row = operation && rows.get(operation.id);
    const head = { id: event.id, type: event.type, created_at: event.created_at };
    if (!operation || !row?.moment) log.push({ ...head, payload: JSON.stringify(wholeEvent(event, livemode)) });
    else if (event.type === "operation.created") row.created = momentOf(operation, row.body);
    else log.push({ ...head, payload: JSON.stringify({ at: row.created_at, moment: momentOf(operation, row.body) } satisfies EventMoment) });
  }
  return { operations: [...rows.values()], log };
}

/** An event as the API answers it: `livemode` on it and on the object its `data` holds. */
export function wholeEvent(event: EventOfOperation, livemode: boolean): object {
  const data = Object.fromEntries(Object.entries(event.data).map(([key, value]) => [key, value && typeof value === "object" ? { ...value, livemode } : value]));
  return { id: event.id, type: event.type, created_at: event.created_at, data, livemode };
}

/** An `operation.*` event read back from its log row (or, `operation.created`, from its operation's row). */
export function eventAt(head: { id: string; type: string; created_at: string }, operation: Operation, livemode: boolean): object {
  return wholeEvent({ ...head, data: { operation } }, livemode);
}
