import { eq, gte, lt } from "drizzle-orm";
import { z } from "zod";
import { accountOf } from "../accounts/account-ref";
import type { LimitCheck, OperationScope } from "../accounts/account-ref";
import { operationEffects, type OperationPolicy } from "../accounts/ledger";
import type { Amounts, Operation } from "../accounts/operation";
import { activeLimits } from "../db/limits";
import type { OperationFacts } from "../limits/limit";
import { claimAtStore, reserveAtStore, storeOf } from "../limits/store-limits";
import { bodyOf, type Outcome } from "../lib/outcome";
import { OPERATION_TYPES } from "../accounts/operation";
import type { Principal } from "../auth/principal";
import { newestFirst } from "../db/newest-first";
import { cardOwner, findMember } from "../db/members";
import { testAnswerOf } from "../tenants/test-mode";
import { operations } from "../db/schema";
import { findStore, registerName } from "../db/stores";
import { loadTenant, settingsOf } from "../db/tenants";
import type { Env } from "../env";
import { ApiError, notFound, refusalError } from "../lib/errors";
import { memberOfOperation, operationId, requestKeyOf } from "../lib/ids";
import { minorDigits } from "../lib/money";
import { sha256Hex } from "../lib/crypto";
import { amount, cardNumber, method, pageQuery } from "../lib/schemas";
import { whoActed } from "../db/audit";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";
import * as EX from "./examples";
import { isRefusal } from "../lib/refusal";

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

const operationNotFound = () => notFound("operation_not_found", "Operation");

const errorCode = (outcome: Outcome) => (bodyOf(outcome) as { error?: { code?: string } }).error?.code;

const holdsOf = (operation: Operation): Amounts => Object.fromEntries((operation.payments ?? []).map((p) => [p.method, p.amount]));

/** The settings an operation is decided under: the tenant's, with the register's store flag. */
async function policyFor(env: Env, tenantId: string, storeId: string): Promise<{ policy: OperationPolicy; timeZone: string }> {
  const [tenant, store] = await Promise.all([loadTenant(env.DB, tenantId), findStore(env.DB, tenantId, storeId)]);
  const policy = {
    ...settingsOf(tenant),
    minor_digits: minorDigits(tenant.currency),
    sms_confirm_points_deduction: store?.smsConfirmPointsDeduction ?? false,
  };
  return { policy, timeZone: tenant.timezone };
}

/** The account holding an operation, with what the caller may see of it; 404 for an id of no account. */
export function locate(principal: Extract<Principal, { kind: "terminal" | "secret" }>, id: string) {
  const memberId = memberOfOperation(id);
  if (!memberId) throw operationNotFound();
  const account = { tenant_id: principal.tenantId, member_id: memberId };
  const scope: OperationScope = principal.kind === "terminal" ? { register_id: principal.registerId } : {};
  return { account, scope };
}

export function operationRoutes(app: App): void {
  endpoint(
    app,
    {
      method: "post",
      path: "/v1/operations", errors: ["idempotency_key_required", "card_not_found", "card_blocked", "insufficient_funds", "payments_exceed_total", "limit_exceeded", "balance_out_of_range", "operation_not_found", "operation_not_confirmed", "refund_exceeds_remaining"], response: R.Operation,
      summary: "Create a pending operation (requires Idempotency-Key): deductions are held, accruals wait for confirm",
      tag: "Cash register",
      auth: ["terminal"],
      body: CreateOperation,
      ownIdempotency: true,
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
      const [id, fingerprint, { policy, timeZone }, limits] = await Promise.all([
        operationId(memberId, principal.tenantId, principal.registerId, idempotencyKey),
        sha256Hex(JSON.stringify(body)),
        policyFor(env, principal.tenantId, principal.storeId),
        activeLimits(env.DB, principal.tenantId),
      ]);
      const now = Date.now();
      const check: LimitCheck = { card: limits.filter((l) => l.scope === "card"), time_zone: timeZone, store_reserved: false };
      const store = { tenant_id: principal.tenantId, store_id: principal.storeId };
      // Register and store limits are counted at the StoreDO first (a refund only gives back, on confirm), in the same
      // call that claims the key there: the account dedupes a key for its own member, the store sees every card.
      let facts: OperationFacts | null = null;
      if (body.type !== "refund") {
        const effects = operationEffects(body, policy);
        if (!isRefusal(effects)) facts = { id, type: body.type, card: body.card, register_id: principal.registerId, store_id: principal.storeId, ...effects };
      }
      const claim = { key: requestKeyOf(id), operation_id: id, at: now };
      const reserved = await claimAtStore(env, store, claim, facts, limits, timeZone, now + policy.hold_ttl_seconds * 1000);
      if (reserved.refusal) throw refusalError(reserved.refusal);
      check.store_reserved = reserved.reserved;
      const account = { tenant_id: principal.tenantId, member_id: memberId };
      const outcome = await accountOf(env, account).createOperation(account, {
        id,
        fingerprint,
        member_id: memberId,
        store_id: principal.storeId,
        register_id: principal.registerId,
        request: body,
        policy,
        now,
        limits: check,
      });
      if (check.store_reserved && outcome.status >= 400 && errorCode(outcome) !== "idempotency_key_reused") {
        // The account refused after the store counted: give the count back.
        await storeOf(env, store).release(store, id);
      }
      return outcome;
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
      const { account, scope } = locate(principal, param("id"));
      return accountOf(env, account).getOperation(account, param("id"), scope, { wait: query.wait, since: query.since });
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
    async ({ env, principal, param, body }) => {
      const id = param("id");
      const { account, scope } = locate(principal, id);
      const [{ policy, timeZone }, limits] = await Promise.all([
        policyFor(env, principal.tenantId, principal.storeId),
        activeLimits(env.DB, principal.tenantId),
      ]);
      const stub = accountOf(env, account);
      const check: LimitCheck = { card: limits.filter((l) => l.scope === "card"), time_zone: timeZone, store_reserved: false };
      const store = { tenant_id: principal.tenantId, store_id: principal.storeId };
      // Register and store limits: count the changed purchase in place of the old one, and put the old back if the
      // account then refuses the change.
      const before = await stub.getOperation(account, id, scope);
      const old = before.body as Operation;
      if (before.status === 200 && old.type === "purchase" && old.status === "pending") {
        const change = {
          type: "purchase" as const,
          card: old.card!,
          cheque: body.cheque ?? old.cheque!,
          payments: body.payments ?? old.payments ?? [],
          accrue_points: body.accrue_points ?? old.accrue_points ?? false,
        };
        const effects = operationEffects(change, policy);
        if (!isRefusal(effects)) {
          const facts = { id, type: old.type, card: old.card, register_id: old.register_id, store_id: old.store_id, ...effects };
          const expiresAt = Date.parse(old.expires_at);
          const reserved = await reserveAtStore(env, store, facts, limits, timeZone, expiresAt, true);
          if (reserved.refusal) throw refusalError(reserved.refusal);
          check.store_reserved = reserved.reserved;
          const outcome = await stub.updateOperation(account, id, scope, body, policy, check);
          if (reserved.reserved && outcome.status >= 400) {
            const oldFacts = { ...facts, holds: holdsOf(old), credits: old.accrual?.points ? { points: old.accrual.points } : {} };
            await reserveAtStore(env, store, oldFacts, limits, timeZone, expiresAt, true);
          }
          return outcome;
        }
      }
      return stub.updateOperation(account, id, scope, body, policy, check);
    },
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
    async ({ env, principal, param, body }) => {
      const { account, scope } = locate(principal, param("id"));
      const [store, register, tenant] = await Promise.all([
        findStore(env.DB, principal.tenantId, principal.storeId),
        registerName(env.DB, principal.tenantId, principal.registerId),
        loadTenant(env.DB, principal.tenantId),
      ]);
      // Test mode: a member with one of the test phones answers by themselves (a live tenant's never do).
      const member = tenant.livemode ? null : await findMember(env.DB, principal.tenantId, account.member_id);
      return accountOf(env, account).requestApproval(account, param("id"), scope, {
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
    },
    async ({ env, principal, param }) => {
      const { account, scope } = locate(principal, param("id"));
      // A change made by hand (points or credit added or taken at the till) comes back with its audit entry.
      return accountOf(env, account).confirm(account, param("id"), scope, Date.now(), whoActed(principal));
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
    async ({ env, principal, param }) => {
      const { account, scope } = locate(principal, param("id"));
      // The back office cancelling a till's hold is a change by a person or key: audited by the account, and only
      // when this call released it — not for one the till had cancelled or that had expired already.
      return accountOf(env, account).cancel(account, param("id"), scope, Date.now(), principal.kind === "secret" ? whoActed(principal) : null);
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/operations", response: R.listOf(R.Operation), summary: "List operations, newest first", tag: "Back office", auth: ["secret"], query: ListOperations },
    async ({ env, principal, query }) => {
      const body = await newestFirst(env.DB, operations, principal.tenantId, query, (row) => JSON.parse(row.body) as Operation, [
        query.status ? eq(operations.status, query.status) : undefined,
        query.store_id ? eq(operations.storeId, query.store_id) : undefined,
        query.member_id ? eq(operations.memberId, query.member_id) : undefined,
        query.register_id ? eq(operations.registerId, query.register_id) : undefined,
        query.type ? eq(operations.type, query.type) : undefined,
        query.created_after ? gte(operations.createdAt, new Date(query.created_after).toISOString()) : undefined,
        query.created_before ? lt(operations.createdAt, new Date(query.created_before).toISOString()) : undefined,
      ]);
      return { status: 200, body };
    },
  );
}
