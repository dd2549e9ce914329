import type { AccountDO } from "./accounts/account-do";
import type { HistoryWriterDO } from "./history/history-writer-do";
import type { StoreDO } from "./stores/store-do";
import type { TenantDO } from "./tenants/tenant-do";
import type { WebhookDO } from "./webhooks/webhook-do";

export interface Env {
  DB: D1Database;
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
