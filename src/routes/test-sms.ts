/** Test mode: a test tenant's SMS never leave Tillsafe; its own back office reads them here, newest first. */
import { loadTenant } from "../db/tenants";
import { ApiError } from "../lib/errors";
import { devMessages } from "../db/dev-sms";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";
import { DevSmsQuery } from "./requests";

export function testSmsRoutes(app: App): void {
  endpoint(
    app,
    {
      method: "get",
      path: "/v1/test/sms", errors: ["not_found"], response: R.SmsOutbox,
      summary: "Test mode: the SMS a test tenant sent (none reach a phone), newest first",
      tag: "Test mode",
      auth: ["secret"],
      query: DevSmsQuery,
    },
    async ({ env, principal, query }) => {
      if ((await loadTenant(env.DB, principal.tenantId)).livemode) {
        throw new ApiError("not_found", "A live business's SMS go to phones: only a test business has this outbox");
      }
      return { status: 200, body: { data: await devMessages(env.DB, { phone: query.phone, tenantId: principal.tenantId }, query.limit) } };
    },
  );
}
