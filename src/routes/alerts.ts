/** Security alerts raised by limits and budgets: newest first, by status; acknowledged, then resolved with a note. */
import { z } from "zod";
import { auditIfChanged } from "../db/audit";
import { alertsPage, findAlert, moveAlert, presentAlert, type AlertRow } from "../db/alerts";
import { ApiError, invalidRequest, notFound, refusalError } from "../lib/errors";
import { acceptAuditBreak } from "../operations/audit-log";
import { refuse } from "../lib/refusal";
import { staffMay } from "../auth/staff-roles";

import { pageQuery } from "../lib/schemas";
import { decideAlertStep, type AlertStep } from "../limits/alert-status";
import { announceToConsoles } from "../operations/console-live";
import type { Env } from "../env";
import type { Principal } from "../auth/principal";
import { endpoint, requirePrincipal, type App } from "./endpoint";
import { checkUpgrade, handOver } from "./live-sockets";
import * as R from "./responses";
import { tenantObjectOf } from "../objects";

export const AlertQuery = pageQuery.extend({ status: z.enum(["open", "acknowledged", "resolved"]).optional() });
const note = z.string().trim().min(1, "must say what was found").max(2000, "must be at most 2000 characters");
export const ResolveAlert = z.strictObject({ note });
export const AcknowledgeAlert = z.strictObject({ note: note.optional().describe("Required for `audit.chain_broken`: what the owner found") });

/** Who acted, as the alert records it: the member of staff, or the key. */
const actorId = (principal: { credentialId: string; staff?: { id: string } }) => principal.staff?.id ?? principal.credentialId;

async function step(env: Env, principal: Extract<Principal, { kind: "secret" }>, alertId: string, step: AlertStep, note: string | null) {
  // Read, decide, write if still as read: a second try reads what the first one wrote.
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await findAlert(env.DB, principal.tenantId, alertId);
    if (!before) throw notFound("alert_not_found", "Alert");
    const decision = decideAlertStep(before.status, step);
    if (decision.kind === "refuse") throw refusalError(decision.refusal);
    if (decision.kind === "unchanged") return presentAlert(before);
    // A broken audit chain is accepted as it now stands only by an owner who says what was found.
    if (before.type === "audit.chain_broken") {
      if (principal.staff && principal.staff.role !== "owner") throw new ApiError("forbidden", "Only an owner may accept a broken audit log");
      if (!note) throw invalidRequest("Say what was found: a note is needed to accept a broken audit log", { field: "note" });
      if (attempt === 0) await acceptAuditBreak(env, principal.tenantId, before.id);
    }
    const at = new Date().toISOString();
    const after: AlertRow =
      decision.to === "acknowledged"
        ? { ...before, status: "acknowledged", acknowledgedAt: at, acknowledgedBy: actorId(principal), note: note ?? before.note }
        : { ...before, status: "resolved", resolvedAt: at, resolvedBy: actorId(principal), note };
    const audit = auditIfChanged(env.DB, principal, `alert.${decision.to}`, before.id, { before: presentAlert(before), after: presentAlert(after) });
    if (await moveAlert(env.DB, before, after, audit)) {
      await announceToConsoles(env, principal.tenantId, { type: "alert_changed", alert: presentAlert(after) });
      return presentAlert(after);
    }
  }
  throw refusalError(refuse("alert_changed", "The alert changed while this was saved; look again"));
}

export function alertRoutes(app: App): void {
  // The console's live alerts: the Worker checks the staff session, its role and the Origin; the TenantDO keeps the socket.
  app.get("/v1/alerts/live", async (c) => {
    checkUpgrade(c, "console");
    const principal = await requirePrincipal(c, ["secret"]);
    if (!principal.staff || !staffMay(principal.staff.role, "get", "/v1/alerts")) throw new ApiError("forbidden", "Live alerts are for the console");
    return handOver(c, tenantObjectOf(c.env, principal.tenantId), principal.staff.sessionId, principal.tenantId, principal.staff.id);
  });

  endpoint(
    app,
    { method: "get", path: "/v1/alerts", response: R.listOf(R.Alert), summary: "Security alerts raised by limits, newest first (?status= open, acknowledged or resolved)", tag: "Limits and alerts", auth: ["secret"], query: AlertQuery },
    async ({ env, principal, query }) => {
      return { status: 200, body: await alertsPage(env.DB, principal.tenantId, query) };
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/alerts/:id/acknowledge",
      errors: ["alert_not_found", "alert_resolved", "alert_changed"],
      response: R.Alert,
      summary: "Acknowledge an alert: someone is looking into it (for audit.chain_broken, an owner with a note accepts the log as it now stands)",
      tag: "Limits and alerts",
      auth: ["secret"],
      body: AcknowledgeAlert,
      status: 200,
    },
    async ({ env, principal, param, body }) => ({ status: 200, body: await step(env, principal, param("id"), "acknowledge", body.note ?? null) }),
  );

  endpoint(
    app,
    { method: "post", path: "/v1/alerts/:id/resolve", errors: ["alert_not_found", "alert_resolved", "alert_changed"], response: R.Alert, summary: "Resolve an alert with a note of what was found", tag: "Limits and alerts", auth: ["secret"], body: ResolveAlert, status: 200 },
    async ({ env, principal, param, body }) => ({ status: 200, body: await step(env, principal, param("id"), "resolve", body.note) }),
  );
}
