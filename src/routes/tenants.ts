import { issueKey } from "../auth/keys";
import { addTenant, newTenant, presentTenant } from "../db/tenants";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";
import { CreateTenant } from "./requests";

export function tenantRoutes(app: App): void {
  endpoint(
    app,
    { method: "post", path: "/v1/tenants", response: R.TenantMade, summary: "Create a tenant and its first secret key", tag: "Platform", auth: ["platform"], body: CreateTenant },
    async ({ env, body, keyed }) => {
      const tenant = newTenant(body);
      const createdAt = tenant.createdAt;
      const key = await issueKey("secret");
      const answer = { status: 201, body: { tenant: presentTenant(tenant), secret_key: key.token } };
      await addTenant(env.DB, tenant, { id: key.id, tenantId: tenant.id, kind: "secret", secretHash: key.secretHash, createdAt }, await keyed.answerWith(answer));
      return answer;
    },
  );
}
