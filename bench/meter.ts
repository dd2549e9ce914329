/**
 * The cost meter of `npm run bench:cost`: Cloudflare's billable units, counted by the runtime itself inside workerd.
 * It wraps, for this isolate (the Worker and every object it runs, as in the tests):
 * - each `sql.exec` cursor of an object, summing its `rowsWritten` and `rowsRead` (index rows and `sqlite_sequence`
 *   included: the runtime counts them);
 * - `setAlarm`, which Cloudflare bills as one row written. The meter keeps the alarm instead of setting it, so that
 *   the bench rings each object's alarm itself, when a scenario says, and every run ships the same batches;
 * - each Durable Object request: every RPC call made on a stub and every alarm rung;
 * - D1's `meta.rows_written` / `meta.rows_read` of every statement that reports them (run, all, batch);
 *   `first` and `raw` report no meta, so the meter counts them apart (`d1_unmetered`) to show none of them writes.
 */
import { env } from "cloudflare:workers";

export interface Units {
  worker_requests: number;
  do_requests: number;
  do_rows_written: number;
  do_rows_read: number;
  d1_rows_written: number;
  d1_rows_read: number;
  d1_unmetered: number;
}

export const noUnits = (): Units => ({ worker_requests: 0, do_requests: 0, do_rows_written: 0, do_rows_read: 0, d1_rows_written: 0, d1_rows_read: 0, d1_unmetered: 0 });

/** Cloudflare's prices (Workers Paid, per unit past the included amounts). */
export const PRICES = { worker_requests: 0.3e-6, do_requests: 0.15e-6, rows_written: 1e-6, rows_read: 0.001e-6 };

export const dollarsPerMillion = (u: Units) =>
  1e6 *
  (u.worker_requests * PRICES.worker_requests +
    u.do_requests * PRICES.do_requests +
    (u.do_rows_written + u.d1_rows_written) * PRICES.rows_written +
    (u.do_rows_read + u.d1_rows_read) * PRICES.rows_read);

let units = noUnits();
let open: { query: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
/** Rows written by each statement's text, when COST_TRACE asks where the rows go. */
export const trace = new Map<string, number>();
const traced = (query: string, rows: number) => {
  if (rows > 0) trace.set(query, (trace.get(query) ?? 0) + rows);
};
/** The alarm each object asked for, by its storage (the bench rings it: `ringAlarm`). */
const alarms = new WeakMap<object, number>();

/** Sums the cursors of the window so far (their counts are final once their statement ran). */
function settleCursors(): void {
  for (const { query, cursor } of open) {
    traced(`DO ${query}`, cursor.rowsWritten);
    units.do_rows_written += cursor.rowsWritten;
    units.do_rows_read += cursor.rowsRead;
  }
  open = [];
}

/** What was billed since the last `take`, and starts counting anew. */
export function take(): Units {
  settleCursors();
  const taken = units;
  units = noUnits();
  return taken;
}

export const countWorkerRequest = () => void (units.worker_requests += 1);
export const countDoRequest = () => void (units.do_requests += 1);

const STUB_PASS = new Set(["then", "id", "name", "constructor"]);

function meterStub<T extends object>(stub: T): T {
  return new Proxy(stub, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof property === "symbol" || STUB_PASS.has(property) || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        units.do_requests += 1;
        return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
      };
    },
  });
}

let installed = false;
let unmeteredGet: DurableObjectNamespace["get"] | null = null;

/** A stub whose calls the meter does not count: the bench's own look inside an object. */
export function unmetered<T extends Rpc.DurableObjectBranded | undefined>(namespace: DurableObjectNamespace<T>, name: string): DurableObjectStub<T> {
  const get = (unmeteredGet ?? namespace.get) as DurableObjectNamespace<T>["get"];
  return get.call(namespace, namespace.idFromName(name));
}

/** Installs the meter once, given one object's state (the storage prototypes are shared by every object). */
export function install(state: DurableObjectState): void {
  if (installed) return;
  installed = true;
  const sqlProto = Object.getPrototypeOf(state.storage.sql) as SqlStorage;
  const exec = sqlProto.exec;
  sqlProto.exec = function (this: SqlStorage, query: string, ...bindings: unknown[]) {
    const cursor = exec.call(this, query, ...bindings);
    open.push({ query, cursor });
    return cursor;
  } as SqlStorage["exec"];
  const storageProto = Object.getPrototypeOf(state.storage) as DurableObjectStorage;
  storageProto.setAlarm = async function (this: DurableObjectStorage, at: number | Date) {
    units.do_rows_written += 1;
    traced("DO setAlarm", 1);
    alarms.set(this, typeof at === "number" ? at : at.getTime());
  };
  storageProto.getAlarm = async function (this: DurableObjectStorage) {
    return alarms.get(this) ?? null;
  };
  storageProto.deleteAlarm = async function (this: DurableObjectStorage) {
    alarms.delete(this);
  };
  for (const namespace of [env.ACCOUNTS, env.STORES, env.HISTORY, env.TENANTS, env.WEBHOOKS]) {
    const proto = Object.getPrototypeOf(namespace) as DurableObjectNamespace;
    if ((proto.get as { metered?: boolean }).metered) continue;
    const get = proto.get;
    unmeteredGet = get;
    const metered = function (this: DurableObjectNamespace, id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions) {
      return meterStub(get.call(this, id, options));
    };
    (metered as { metered?: boolean }).metered = true;
    proto.get = metered as DurableObjectNamespace["get"];
  }
  const statement = Object.getPrototypeOf(env.DB.prepare("SELECT 1")) as D1PreparedStatement;
  const meta = (result: D1Result | D1Response, query = "?") => {
    traced(`D1 ${query}`, result.meta.rows_written ?? 0);
    units.d1_rows_written += result.meta.rows_written ?? 0;
    units.d1_rows_read += result.meta.rows_read ?? 0;
  };
  for (const name of ["run", "all"] as const) {
    const real = statement[name] as (this: D1PreparedStatement) => Promise<D1Result>;
    (statement as unknown as Record<string, unknown>)[name] = async function (this: D1PreparedStatement) {
      const result = await real.call(this);
      meta(result, (this as unknown as { statement?: string }).statement);
      return result;
    };
  }
  for (const name of ["first", "raw"] as const) {
    const real = statement[name] as (this: D1PreparedStatement, ...args: unknown[]) => Promise<unknown>;
    (statement as unknown as Record<string, unknown>)[name] = function (this: D1PreparedStatement, ...args: unknown[]) {
      units.d1_unmetered += 1;
      return real.apply(this, args);
    };
  }
  const db = Object.getPrototypeOf(env.DB) as D1Database;
  const batch = db.batch;
  db.batch = async function <T>(this: D1Database, statements: D1PreparedStatement[]) {
    const results = await batch.call(this, statements);
    results.forEach((result, i) => meta(result, (statements[i] as unknown as { statement?: string }).statement));
    return results as D1Result<T>[];
  };
}

/** The alarm an object asked for (null: none). */
export const alarmOf = (state: DurableObjectState) => alarms.get(state.storage) ?? null;

/** Clears an object's alarm before the bench rings it, as the runtime does before it calls `alarm()`. */
export const clearAlarm = (state: DurableObjectState) => alarms.delete(state.storage);
