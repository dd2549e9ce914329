import { and, desc, eq, lt, or } from "drizzle-orm";
import { z } from "zod";
import type { OperationScope } from "../accounts/account-do";
import { accountOf } from "../accounts/account-ref";
import type { OperationPolicy } from "../accounts/ledger";
import { OPERATION_TYPES } from "../accounts/operation";
import type { Principal } from "../auth/principal";
import { database } from "../db/client";
import { cardOwner } from "../db/members";
import { operations } from "../db/schema";
import { findStore, registerName } from "../db/stores";
import { loadTenant, settingsOf } from "../db/tenants";
import type { Env } from "../env";
import { ApiError, notFound } from "../lib/errors";
import { memberOfOperation, operationId } from "../lib/ids";
import { minorDigits } from "../lib/money";
import { decodeCursor, toPage } from "../lib/pagination";
import { sha256Hex } from "../lib/crypto";
import { amount, cardNumber, method, pageQuery } from "../lib/schemas";
import { endpoint, type App } from "./endpoint";

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
]);

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
  member_id: z.string().max(64).optional(),
  type: z.enum(OPERATION_TYPES).optional(),
});

const operationNotFound = () => notFound("operation_not_found", "Operation");

/** The settings an operation is decided under: the tenant's, with the register's store flag. */
async function policyFor(env: Env, tenantId: string, storeId: string): Promise<OperationPolicy> {
  const [tenant, store] = await Promise.all([loadTenant(env.DB, tenantId), findStore(env.DB, tenantId, storeId)]);
  return {
    ...settingsOf(tenant),
    minor_digits: minorDigits(tenant.currency),
    sms_confirm_points_deduction: store?.smsConfirmPointsDeduction ?? false,
  };
}

/** The account holding an operation, with what the caller may see of it; 404 for an id of no account. */
export function locate(principal: Extract<Principal, { kind: "terminal" | "secret" }>, id: string) {
  const memberId = memberOfOperation(id);
  if (!memberId) throw operationNotFound();
  const account = { tenant_id: principal.tenantId, member_id: memberId };
  const scope: OperationScope = principal.kind === "terminal" ? { register_id: principal.registerId } : {};
  return { account, scope };
}

const isPosition = (value: unknown[]): value is [string, string] =>
  value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string";

export function operationRoutes(app: App): void {
  endpoint(
    app,
    {
      method: "post",
      path: "/v1/operations",
      summary: "Create a pending operation (requires Idempotency-Key): deductions are held, accruals wait for confirm",
      tag: "Cash register",
      auth: ["terminal"],
      body: CreateOperation,
    },
    async ({ env, principal, body, idempotencyKey }) => {
      if (!idempotencyKey) throw new ApiError(400, "idempotency_key_required", "POST /v1/operations needs an Idempotency-Key header");
      let memberId: string | null;
      if (body.type === "refund") {
        memberId = memberOfOperation(body.original_operation_id);
        if (!memberId) throw operationNotFound();
      } else {
        memberId = await cardOwner(env.DB, principal.tenantId, body.card);
        if (!memberId) throw notFound("card_not_found", "Card");
      }
      const [id, fingerprint, policy] = await Promise.all([
        operationId(memberId, principal.tenantId, principal.registerId, idempotencyKey),
        sha256Hex(JSON.stringify(body)),
        policyFor(env, principal.tenantId, principal.storeId),
      ]);
      const account = { tenant_id: principal.tenantId, member_id: memberId };
      return accountOf(env, account).createOperation(account, {
        id,
        fingerprint,
        member_id: memberId,
        store_id: principal.storeId,
        register_id: principal.registerId,
        request: body,
        policy,
        now: Date.now(),
      });
    },
  );

  endpoint(
    app,
    {
      method: "get",
      path: "/v1/operations/:id",
      summary: "Read an operation; with ?wait=N (≤ 30 s) answer as soon as it changes (long poll), with ?since=<updated_at> at once if it already has",
      tag: "Cash register",
      auth: ["terminal", "secret"],
      query: ReadOperation,
    },
    async ({ env, principal, param, query }) => {
      const { account, scope } = locate(principal, param("id"));
      return accountOf(env, account).getOperation(account, param("id"), scope, { wait: query.wait, since: query.since });
    },
  );

  endpoint(
    app,
    {
      method: "patch",
      path: "/v1/operations/:id",
      summary: "Change a pending purchase before it is authorized: re-checks funds, re-holds, restarts authorization",
      tag: "Cash register",
      auth: ["terminal"],
      body: ChangePurchase,
    },
    async ({ env, principal, param, body }) => {
      const { account, scope } = locate(principal, param("id"));
      const policy = await policyFor(env, principal.tenantId, principal.storeId);
      return accountOf(env, account).updateOperation(account, param("id"), scope, body, policy);
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/operations/:id/approval-requests",
      summary: "Request for Approval: ask the member on the hosted page; `delivered` says whether an open page got it",
      tag: "Cash register",
      auth: ["terminal"],
      body: RequestApproval,
    },
    async ({ env, principal, param, body }) => {
      const { account, scope } = locate(principal, param("id"));
      const [store, register] = await Promise.all([
        findStore(env.DB, principal.tenantId, principal.storeId),
        registerName(env.DB, principal.tenantId, principal.registerId),
      ]);
      return accountOf(env, account).requestApproval(account, param("id"), scope, {
        resend: body.resend,
        store_name: store?.name ?? "",
        register_name: register,
      });
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/operations/:id/confirm",
      summary: "Confirm a pending operation: holds become journal entries, accruals are credited",
      tag: "Cash register",
      auth: ["terminal"],
      status: 200,
    },
    async ({ env, principal, param }) => {
      const { account, scope } = locate(principal, param("id"));
      return accountOf(env, account).confirm(account, param("id"), scope);
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/operations/:id/cancel", summary: "Cancel a pending operation and release its holds", tag: "Cash register", auth: ["terminal"], status: 200 },
    async ({ env, principal, param }) => {
      const { account, scope } = locate(principal, param("id"));
      return accountOf(env, account).cancel(account, param("id"), scope);
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/operations", summary: "List operations, newest first", tag: "Back office", auth: ["secret"], query: ListOperations },
    async ({ env, principal, query }) => {
      const after = decodeCursor(query.cursor, isPosition);
      const rows = await database(env.DB)
        .select()
        .from(operations)
        .where(
          and(
            eq(operations.tenantId, principal.tenantId),
            query.status ? eq(operations.status, query.status) : undefined,
            query.store_id ? eq(operations.storeId, query.store_id) : undefined,
            query.member_id ? eq(operations.memberId, query.member_id) : undefined,
            query.type ? eq(operations.type, query.type) : undefined,
            after ? or(lt(operations.createdAt, after[0]), and(eq(operations.createdAt, after[0]), lt(operations.id, after[1]))) : undefined,
          ),
        )
        .orderBy(desc(operations.createdAt), desc(operations.id))
        .limit(query.limit + 1);
      return { status: 200, body: toPage(rows, query.limit, (row) => JSON.parse(row.body), (row) => [row.createdAt, row.id]) };
    },
  );
}
