import { issueKey } from "../auth/keys";
import { placeNewTenant } from "../shards/shard-directory";
import { isRefusal } from "../lib/refusal";
import { refusalError } from "../lib/errors";
import { addTenant, newTenant, presentTenant } from "../db/tenants";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";
import { CreateTenant } from "./requests";

export function tenantRoutes(app: App): void {
  endpoint(
    app,
    { method: "post", path: "/v1/tenants", errors: ["no_open_shard"], response: R.TenantMade, summary: "Create a tenant and its first secret key", tag: "Platform", auth: ["platform"], body: CreateTenant },
    async ({ env, body, keyed }) => {
      const placed = await placeNewTenant(env);
      if (isRefusal(placed)) throw refusalError(placed);
      const tenant = newTenant({ ...body, placement: placed.placement });
      const createdAt = tenant.createdAt;
      const key = await issueKey("secret");
      const answer = { status: 201, body: { tenant: presentTenant(tenant), secret_key: key.token } };
      await addTenant(env.DB, tenant, { id: key.id, tenantId: tenant.id, kind: "secret", secretHash: key.secretHash, createdAt }, await keyed.answerWith(answer));
      return answer;
    },
  );
}
