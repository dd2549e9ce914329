/**
 * The address book of the Durable Objects: how each object is named, in one place. Every name starts with the
 * tenant, which always comes from the caller's credential, so a credential of tenant B can only reach B's objects.
 */
import type { AccountRef } from "./accounts/account-ref";
import type { Env } from "./env";
import type { StoreRef } from "./stores/store-do";

/** The one AccountDO of a member of a tenant. */
export const accountOf = (env: Env, account: AccountRef) => env.ACCOUNTS.get(env.ACCOUNTS.idFromName(`${account.tenant_id}:${account.member_id}`));

/** The StoreDO of a store: its register and store limit counters and Idempotency-Key claims. */
export const storeOf = (env: Env, store: StoreRef) => env.STORES.get(env.STORES.idFromName(`${store.tenant_id}:${store.store_id}`));

/** A history writer: the group commit of a tenant's outboxes into one D1 database, a shard or the directory. */
export const historyWriterOf = (env: Env, tenantId: string, target: string) => env.HISTORY.get(env.HISTORY.idFromName(`${tenantId}:${target}`));

/** The tenant's TenantDO: its SMS budget, audit chain and live console pages. */
export const tenantObjectOf = (env: Env, tenantId: string) => env.TENANTS.get(env.TENANTS.idFromName(tenantId));

/** The tenant's webhook sender. */
export const webhooksOf = (env: Env, tenantId: string) => env.WEBHOOKS.get(env.WEBHOOKS.idFromName(tenantId));
