import { z } from "zod";

import { OPERATION_TYPES } from "../accounts/operation";
import { whoActed } from "../db/audit";
import { findMember } from "../db/members";
import { operationsPage } from "../db/operations";
import { confirmAtTill, tillKeyReused } from "../operations/confirm-operation";
import { tenantShards } from "../shards/tenant-shards";
import { findStore, registerName } from "../db/stores";
import { loadTenant } from "../db/tenants";
import { ApiError } from "../lib/errors";
import { amount, cardNumber, method, pageQuery } from "../lib/schemas";
import { changePurchase } from "../operations/change-purchase";
import { createOperation } from "../operations/create-operation";
import { locateOperation } from "../operations/operation-policy";
import { testAnswerOf } from "../tenants/test-mode";
import { cancelOperation } from "../operations/cancel-operation";
import { endpoint, type App } from "./endpoint";
import * as EX from "./examples";
import * as R from "./responses";
import { accountOf } from "../objects";

const reason = z.string().trim().min(1).max(500);

export const CreateOperation = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("purchase"),
    card: cardNumber,
    cheque: z.strictObject({ number: z.string().trim().min(1).max(64), total: amount }),
    payments: z.array(z.strictObject({ method, amount })).max(3).default([]),
    accrue_points: z.boolean().default(false),
  }),
  z.strictObject({ type: z.literal("refund"), original_operation_id: z.string().max(64), amount }),
  z.strictObject({ type: z.literal("top_up"), card: cardNumber, method: z.literal("credit"), amount }),
  z.strictObject({ type: z.literal("manual_accrual"), card: cardNumber, method, amount, reason }),
  z.strictObject({ type: z.literal("manual_deduction"), card: cardNumber, method, amount, reason }),
]).meta({ examples: EX.createOperation });

export const ChangePurchase = z
  .strictObject({
    cheque: z.strictObject({ number: z.string().trim().min(1).max(64), total: amount }).optional(),
    payments: z.array(z.strictObject({ method, amount })).max(3).optional(),
    accrue_points: z.boolean().optional(),
  })
  .refine((change) => Object.keys(change).length > 0, "name at least one of cheque, payments, accrue_points");

export const RequestApproval = z.strictObject({ resend: z.boolean().default(false) });

export const ReadOperation = z.object({
  wait: z.coerce.number().int().min(0).max(30).optional(),
  since: z.string().max(40).optional(),
});

export const ListOperations = pageQuery.extend({
  status: z.enum(["pending", "confirmed", "cancelled", "expired"]).optional(),
  store_id: z.string().max(64).optional(),
  register_id: z.string().max(64).optional(),
  member_id: z.string().max(64).optional(),
  type: z.enum(OPERATION_TYPES).optional(),
  /** Made at or after / before these instants (ISO 8601). */
  created_after: z.iso.datetime({ offset: true }).optional(),
  created_before: z.iso.datetime({ offset: true }).optional(),
});

export function operationRoutes(app: App): void {
  endpoint(
    app,
    {
      method: "post",
      path: "/v1/operations", errors: ["idempotency_key_required", "card_not_found", "card_blocked", "insufficient_funds", "payments_exceed_total", "limit_exceeded", "balance_out_of_range", "operation_not_found", "operation_not_confirmed", "refund_exceeds_remaining", "refund_points_spent"], response: R.Operation,
      summary: "Create a pending operation (requires Idempotency-Key): deductions are held, accruals wait for confirm",
      tag: "Cash register",
      auth: ["terminal"],
      body: CreateOperation,
      ownIdempotency: true,
    },
    async ({ env, principal, body, idempotencyKey }) => {
      if (!idempotencyKey) throw new ApiError("idempotency_key_required", "POST /v1/operations needs an Idempotency-Key header");
      return createOperation(env, principal, body, idempotencyKey);
    },
  );

  endpoint(
    app,
    {
      method: "get",
      path: "/v1/operations/:id", errors: ["operation_not_found"], response: R.Operation,
      summary: "Read an operation; with ?wait=N (≤ 30 s) answer as soon as it changes (long poll), with ?since=<updated_at> at once if it already has",
      tag: "Cash register",
      auth: ["terminal", "secret"],
      query: ReadOperation,
    },
    async ({ env, principal, param, query }) => {
      const { account, scope } = locateOperation(principal, param("id"));
      return accountOf(env, account).getOperation(param("id"), scope, { wait: query.wait, since: query.since });
    },
  );

  endpoint(
    app,
    {
      method: "patch",
      path: "/v1/operations/:id", errors: ["operation_not_found", "operation_not_pending", "operation_not_updatable", "already_authorized", "insufficient_funds", "payments_exceed_total", "limit_exceeded", "balance_out_of_range"], response: R.Operation,
      summary: "Change a pending purchase before it is authorized: re-checks funds, re-holds, restarts authorization",
      tag: "Cash register",
      auth: ["terminal"],
      body: ChangePurchase,
    },
    async ({ env, principal, param, body }) => changePurchase(env, principal, param("id"), body),
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/operations/:id/approval-requests", errors: ["operation_not_found", "operation_not_pending", "already_approved", "approval_not_required", "approval_request_pending", "rate_limited"], response: R.ApprovalAsked,
      summary: "Request for Approval: ask the member on the hosted page; `delivered` says whether an open page got it",
      tag: "Cash register",
      auth: ["terminal"],
      body: RequestApproval,
    },
    async ({ env, principal, param, body, idempotencyKey }) => {
      const reused = await tillKeyReused(env, principal, param("id"), idempotencyKey, "approval-requests");
      if (reused) return reused;
      const { account, scope } = locateOperation(principal, param("id"));
      const [store, register, tenant] = await Promise.all([
        findStore(env.DB, principal.tenantId, principal.storeId),
        registerName(env.DB, principal.tenantId, principal.registerId),
        loadTenant(env.DB, principal.tenantId),
      ]);
      // Test mode: a member with one of the test phones answers by themselves (a live tenant's never do).
      const member = tenant.livemode ? null : await findMember(env.DB, principal.tenantId, account.member_id);
      return accountOf(env, account).requestApproval(param("id"), scope, {
        resend: body.resend,
        store_name: store?.name ?? "",
        register_name: register,
        test_answer: testAnswerOf(tenant.livemode, member?.phone),
      });
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/operations/:id/confirm", errors: ["operation_not_found", "operation_not_pending", "authorization_required", "balance_out_of_range"], response: R.Operation,
      summary: "Confirm a pending operation: holds become journal entries, accruals are credited",
      tag: "Cash register",
      auth: ["terminal"],
      status: 200,
      // A repeated Idempotency-Key is answered by the account, from the operation's own row.
      ownIdempotency: true,
    },
    async ({ env, principal, param, idempotencyKey, fingerprint }) => {
      const keyed = idempotencyKey ? { key: idempotencyKey, fingerprint: await fingerprint() } : null;
      // A change made by hand (points or credit added or taken at the till) comes back with its audit entry.
      return confirmAtTill(env, principal, param("id"), keyed, whoActed(principal));
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/operations/:id/cancel", errors: ["operation_not_found", "operation_not_pending"], response: R.Operation,
      summary: "Cancel a pending operation and release its holds (the till that made it, or the back office: a hold a till left behind)",
      tag: "Cash register",
      auth: ["terminal", "secret"],
      status: 200,
    },
    async ({ env, principal, param, idempotencyKey }) => {
      const { account, scope } = locateOperation(principal, param("id"));
      // A till's key that went to this operation's confirm (which its account answers) is not a cancel's.
      const reused = await tillKeyReused(env, principal, param("id"), idempotencyKey, "cancel");
      if (reused) return reused;
      // The back office cancelling a till's hold is a change by a person or key: audited by the account, and only
      // when this call released it — not for one the till had cancelled or that had expired already.
      return cancelOperation(env, account, param("id"), scope, principal.kind === "secret" ? whoActed(principal) : null);
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/operations", errors: ["shard_unavailable"], response: R.listOf(R.Operation), summary: "List operations, newest first", tag: "Back office", auth: ["secret"], query: ListOperations },
    async ({ env, principal, query }) => {
      const body = await operationsPage(await tenantShards(env, principal.tenantId), query);
      return { status: 200, body };
    },
  );
}
