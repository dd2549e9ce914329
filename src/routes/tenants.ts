import { z } from "zod";
import { issueKey } from "../auth/keys";
import { database } from "../db/client";
import { apiKeys, tenants } from "../db/schema";
import { newTenant, presentTenant } from "../db/tenants";
import { isKnownCurrency, isKnownTimeZone } from "../lib/money";
import { name } from "../lib/schemas";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";
import * as EX from "./examples";

export const CreateTenant = z.strictObject({
  name,
  currency: z.string().refine(isKnownCurrency, "must be an ISO 4217 currency code such as USD"),
  timezone: z.string().max(64).refine(isKnownTimeZone, "must be a time zone from the list, such as Australia/Sydney").default("UTC"),
  /** False makes a test tenant (API.md, test mode). */
  livemode: z.boolean().default(true),
}).meta({ examples: [EX.createTenant] });

export function tenantRoutes(app: App): void {
  endpoint(
    app,
    { method: "post", path: "/v1/tenants", response: R.TenantMade, summary: "Create a tenant and its first secret key", tag: "Platform", auth: ["platform"], body: CreateTenant },
    async ({ env, body }) => {
      const tenant = newTenant(body);
      const createdAt = tenant.createdAt;
      const key = await issueKey("secret");
      const db = database(env.DB);
      await db.batch([
        db.insert(tenants).values(tenant),
        db.insert(apiKeys).values({ id: key.id, tenantId: tenant.id, kind: "secret", secretHash: key.secretHash, createdAt }),
      ]);
      return { status: 201, body: { tenant: presentTenant(tenant), secret_key: key.token } };
    },
  );
}
