import { buildApp } from "./app";

export { AccountDO } from "./accounts/account-do";
export { HistoryWriterDO } from "./history/history-writer-do";
export { StoreDO } from "./stores/store-do";
export { TenantDO } from "./tenants/tenant-do";
export { WebhookDO } from "./webhooks/webhook-do";

export default buildApp();
