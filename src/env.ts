import type { AccountDO } from "./accounts/account-do";
import type { HistoryWriterDO } from "./history/history-writer-do";
import type { StoreDO } from "./stores/store-do";
import type { TenantDO } from "./tenants/tenant-do";
import type { WebhookDO } from "./webhooks/webhook-do";

export interface Env {
  /** The directory: what grows with customers (tenants, keys, staff, settings, limits, members, cards). */
  DB: D1Database;
  /** The shards: what grows with traffic (operations, history, events, deliveries), `SHARD_0`, `SHARD_1`, … */
  [shard: `SHARD_${number}`]: D1Database;
  /** Archived days, one object per tenant per day (gzip NDJSON): GET /v1/exports. */
  ARCHIVE: R2Bucket;
  /** A shard's capacity in bytes (10 GB, D1's limit, unless set): past 80 % it takes no new tenants. */
  SHARD_CAPACITY_BYTES?: string;
  ACCOUNTS: DurableObjectNamespace<AccountDO>;
  STORES: DurableObjectNamespace<StoreDO>;
  WEBHOOKS: DurableObjectNamespace<WebhookDO>;
  HISTORY: DurableObjectNamespace<HistoryWriterDO>;
  TENANTS: DurableObjectNamespace<TenantDO>;
  /** Sign-in codes asked for by one client address: 5 a minute (Workers Rate Limiting, approximate). */
  SIGNIN_CODES: RateLimit;
  /** Password checks (sign-in, sign-up, invites) per client address: 20 a minute. */
  PASSWORD_CHECKS: RateLimit;
  ENVIRONMENT: string;
  /** `open`: anyone may sign a business up (the local server's default); otherwise only with a platform invite. */
  SIGNUP?: string;
  PLATFORM_TOKEN?: string;
  SERVER_SECRET?: string;
  /** `dev-outbox` or `twilio`; by default the outbox in development and Twilio elsewhere. */
  SMS_PROVIDER?: string;
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_FROM?: string;
  /** The Messages API base URL (a Twilio-compatible provider, or a fake one in tests). */
  SMS_API_BASE?: string;
}
