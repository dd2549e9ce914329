import type { AccountDO } from "./accounts/account-do";

export interface Env {
  DB: D1Database;
  ACCOUNTS: DurableObjectNamespace<AccountDO>;
  ENVIRONMENT: string;
  PLATFORM_TOKEN?: string;
  SERVER_SECRET?: string;
}
