import { findRegister, findStore } from "../db/stores";
import { loadTenant, presentTenant } from "../db/tenants";
import { minorDigits } from "../lib/money";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";

export function terminalRoutes(app: App): void {
  endpoint(
    app,
    { method: "get", path: "/v1/terminal", response: R.Terminal, summary: "Who this terminal key is: tenant (with currency), store and register", tag: "Cash register", auth: ["terminal"] },
    async ({ env, principal }) => {
      const [tenant, store, register] = await Promise.all([
        loadTenant(env.DB, principal.tenantId),
        findStore(env.DB, principal.tenantId, principal.storeId),
        findRegister(env.DB, principal.tenantId, principal.registerId),
      ]);
      return {
        status: 200,
        body: {
          tenant: { ...presentTenant(tenant), minor_digits: minorDigits(tenant.currency), point_value: tenant.pointValue },
          store: { id: principal.storeId, name: store?.name ?? "" },
          register: { id: principal.registerId, name: register?.name ?? "" },
        },
      };
    },
  );
}
