/** GET /v1/exports?date=: a day's archive, gzip NDJSON, for a secret key or the owner (src/archive/day-archive.ts). */
import { z } from "zod";
import { dayArchive } from "../archive/day-archive";
import { loadTenant } from "../db/tenants";
import { ApiError } from "../lib/errors";
import { endpoint, type App } from "./endpoint";
import { DailyReportQuery } from "./requests";

const ExportQuery = z.strictObject({ date: DailyReportQuery.shape.date });

export function exportRoutes(app: App): void {
  endpoint(
    app,
    {
      method: "get",
      path: "/v1/exports",
      errors: ["export_not_found", "shard_unavailable"],
      file: "application/gzip",
      summary: "A day's archive: the operations made and the journal entries posted that day (in the business's time zone), one JSON object a line, gzipped",
      tag: "Back office",
      auth: ["secret"],
      query: ExportQuery,
    },
    async ({ env, principal, query }) => {
      const tenant = await loadTenant(env.DB, principal.tenantId);
      const file = await dayArchive(env, tenant, query.date);
      if (!file) throw new ApiError("export_not_found", "No archive for that day yet: it is made a day after the day ends, once every sale of it has ended (or the business did not exist then)");
      return { status: 200, file, headers: { "content-type": "application/gzip", "content-disposition": `attachment; filename="tillsafe-${query.date}.ndjson.gz"` } };
    },
  );
}
