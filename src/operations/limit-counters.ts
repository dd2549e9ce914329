/**
 * A limit's counters, read from the objects that keep them: card counters from the accounts (for a limit over every
 * card, the accounts active in the window, at most MAX_ACCOUNTS, most recent first), register and store counters
 * from the stores. D1 only says where to look; the values are the objects' own.
 */

import { findRegister, storesWithRegisters } from "../db/stores";
import { cardOwner, recentlyActiveMembers } from "../db/members";
import { tenantShards } from "../shards/tenant-shards";
import type { Env } from "../env";
import { windowOf } from "../limits/calendar";
import { countersInForce, windowBounds, type CounterView, type StoredCounter } from "../limits/counters-view";
import type { Limit } from "../limits/limit";
import { accountOf, storeOf } from "../objects";

const MAX_ACCOUNTS = 100;

export interface CounterFilter {
  /** A card number, register or store id: only its counters. */
  scope_id?: string;
  /** A card limit counted per register or store: only that register's or store's. */
  per_id?: string;
}

export async function limitCounters(env: Env, tenant: { id: string; timezone: string }, limit: Limit, filter: CounterFilter, now = Date.now(), maxAccounts = MAX_ACCOUNTS): Promise<CounterView[]> {
  const stored = limit.scope === "card" ? await cardCounters(env, tenant, limit, filter.scope_id ?? limit.scope_id, now, maxAccounts) : await placeCounters(env, tenant.id, limit, filter.scope_id ?? limit.scope_id);
  return countersInForce(limit, stored, now, tenant.timezone).filter((counter) => {
    const [scopePart, perPart] = counter.subject.split("@");
    return (!filter.scope_id || scopePart === filter.scope_id) && (!filter.per_id || perPart === filter.per_id);
  });
}

async function cardCounters(env: Env, tenant: { id: string; timezone: string }, limit: Limit, card: string | null, now: number, maxAccounts: number): Promise<StoredCounter[]> {
  let members: string[];
  if (card) {
    const owner = await cardOwner(env.DB, tenant.id, card);
    members = owner ? [owner] : [];
  } else {
    const start = limit.period === "operation" ? null : windowBounds(windowOf(limit.period, now, tenant.timezone, ""), tenant.timezone).start;
    members = await recentlyActiveMembers(await tenantShards(env, tenant.id), { after: start ?? undefined, pendingOnly: limit.period === "operation" }, maxAccounts);
  }
  const each = await Promise.all(members.map((member_id) => accountOf(env, { tenant_id: tenant.id, member_id }).limitCounters(limit.id, now)));
  return each.flat();
}

async function placeCounters(env: Env, tenantId: string, limit: Limit, place: string | null): Promise<StoredCounter[]> {
  let storeIds: string[];
  if (place && limit.scope === "store") storeIds = [place];
  else if (place) {
    const register = await findRegister(env.DB, tenantId, place);
    storeIds = register ? [register.storeId] : [];
  } else storeIds = (await storesWithRegisters(env.DB, tenantId)).map(({ store }) => store.id);
  const each = await Promise.all(storeIds.map((store_id) => storeOf(env, { tenant_id: tenantId, store_id }).limitCounters(limit.id)));
  return each.flat();
}
