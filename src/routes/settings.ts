import { z } from "zod";
import { auditInsert } from "../db/audit";
import { forgetTenant, loadTenant, saveSettings, settingsOf } from "../db/tenants";
import { method, webOrigin } from "../lib/schemas";
import { forgetPlace } from "../shards/tenant-shards";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";

export const UpdateSettings = z.strictObject({
  approval_required_for: z
    .array(method)
    .max(3)
    .refine((methods) => new Set(methods).size === methods.length, "must not repeat a method")
    .optional(),
  points_per_currency_unit: z.number().int("must be a whole number").min(0, "must not be negative").max(10_000, "must be at most 10,000").optional(),
  point_value: z.number().int("must be a whole number").min(1, "must be at least 1").max(1_000_000, "must be at most 1,000,000").optional(),
  hold_ttl_seconds: z.number().int("must be a whole number of seconds").min(1, "must be at least 1 second").max(86_400, "must be at most a day").optional(),
  history_retention_days: z.number().int("must be a whole number of days").min(30, "must be at least 30 days").max(400, "must be at most 400 days").optional(),
  sms_per_hour: z.number().int("must be a whole number").min(0, "must not be negative").max(100_000, "must be at most 100,000").optional(),
  sms_signin_per_hour: z.number().int("must be a whole number").min(0, "must not be negative").max(100_000, "must be at most 100,000").optional(),
  refund_when_points_spent: z.enum(["reduce", "refuse"], "must be reduce or refuse").optional(),
  allowed_origins: z
    .array(webOrigin)
    .max(20, "must list at most 20 origins")
    .refine((origins) => new Set(origins).size === origins.length, "must not repeat an origin")
    .optional(),
});

export function settingsRoutes(app: App): void {
  endpoint(
    app,
    { method: "get", path: "/v1/settings", response: R.Settings, summary: "Read the tenant's settings", tag: "Back office", auth: ["secret"] },
    async ({ env, principal }) => ({ status: 200, body: settingsOf(await loadTenant(env.DB, principal.tenantId)) }),
  );

  endpoint(
    app,
    { method: "patch", path: "/v1/settings", response: R.Settings, summary: "Change the tenant's settings", tag: "Back office", auth: ["secret"], body: UpdateSettings },
    async ({ env, principal, body }) => {
      const changes = {
        ...(body.approval_required_for !== undefined ? { approvalRequiredFor: JSON.stringify(body.approval_required_for) } : {}),
        ...(body.points_per_currency_unit !== undefined ? { pointsPerCurrencyUnit: body.points_per_currency_unit } : {}),
        ...(body.point_value !== undefined ? { pointValue: body.point_value } : {}),
        ...(body.hold_ttl_seconds !== undefined ? { holdTtlSeconds: body.hold_ttl_seconds } : {}),
        ...(body.history_retention_days !== undefined ? { historyRetentionDays: body.history_retention_days } : {}),
        ...(body.sms_per_hour !== undefined ? { smsPerHour: body.sms_per_hour } : {}),
        ...(body.sms_signin_per_hour !== undefined ? { smsSigninPerHour: body.sms_signin_per_hour } : {}),
        ...(body.refund_when_points_spent !== undefined ? { refundWhenPointsSpent: body.refund_when_points_spent } : {}),
        ...(body.allowed_origins !== undefined ? { allowedOrigins: JSON.stringify(body.allowed_origins) } : {}),
      };
      forgetTenant(principal.tenantId);
      const before = settingsOf(await loadTenant(env.DB, principal.tenantId));
      if (Object.keys(changes).length > 0) {
        const after = { ...before, ...body };
        await saveSettings(env.DB, principal.tenantId, changes, body.allowed_origins, auditInsert(env.DB, principal, "settings.changed", principal.tenantId, { before, after }));
      }
      // Its history's window (history_retention_days) applies in this isolate at once; others within 5 s.
      forgetPlace(principal.tenantId);
      return { status: 200, body: settingsOf(await loadTenant(env.DB, principal.tenantId)) };
    },
  );
}
