/**
 * SMS codes confirming a points deduction at stores that ask for one. The route makes the code and its HMAC, the
 * AccountDO decides (limits, attempts, the operation's SMS step), and only then is the message sent.
 */
import { tillKeyReused } from "../operations/confirm-operation";
import { valueOf } from "../lib/outcome";
import { isRefusal } from "../lib/refusal";
import { testCodeOf } from "../tenants/test-mode";
import { z } from "zod";

import type { Operation } from "../accounts/operation";
import { codeHash, generateCode, maskPhone } from "../auth/one-time-code";
import { findMember } from "../db/members";
import { findStore } from "../db/stores";
import { loadTenant } from "../db/tenants";
import { notFound, refusalError } from "../lib/errors";
import { formatMoney } from "../lib/money-format";
import { sendTenantSms, smsFailure } from "../operations/send-sms";
import { serverSecret } from "../lib/server-secret";
import { endpoint, type App } from "./endpoint";
import { locateOperation } from "../operations/operation-policy";
import * as R from "./responses";
import * as EX from "./examples";
import { accountOf } from "../objects";

export const VerifyCode = z.strictObject({ code: z.string().regex(/^[0-9]{6}$/, "must be the 6 digits of the SMS") }).meta({ examples: [EX.verifyCode] });

function pointsDeducted(operation: Operation): number {
  if (operation.type === "manual_deduction" && operation.method === "points") return operation.amount ?? 0;
  return (operation.payments ?? []).find((p) => p.method === "points")?.amount ?? 0;
}

export function smsCodeRoutes(app: App): void {
  endpoint(
    app,
    {
      method: "post",
      path: "/v1/operations/:id/sms-codes", errors: ["operation_not_found", "operation_not_pending", "sms_code_not_required", "already_verified", "rate_limited", "sms_provider_error"], response: R.CodeSent,
      summary: "Send the member a 6-digit code confirming the points deduction (a new code voids the last one)",
      tag: "Cash register",
      auth: ["terminal"],
    },
    async ({ env, principal, param, idempotencyKey }) => {
      const reused = await tillKeyReused(env, principal, param("id"), idempotencyKey, "sms-codes");
      if (reused) return reused;
      const id = param("id");
      const { account, scope } = locateOperation(principal, id);
      const [member, tenant, store] = await Promise.all([
        findMember(env.DB, principal.tenantId, account.member_id),
        loadTenant(env.DB, principal.tenantId),
        findStore(env.DB, principal.tenantId, principal.storeId),
      ]);
      if (!member) throw notFound("operation_not_found", "Operation");
      const code = testCodeOf(tenant.livemode, member.phone) ?? generateCode();
      const stub = accountOf(env, account);
      const issued = await stub.issueOperationCode(id, scope, await codeHash(serverSecret(env), id, code));
      if (isRefusal(issued)) return issued;
      const { expires_at, issued_at, operation } = valueOf(issued);
      const points = pointsDeducted(operation);
      const value = formatMoney(points * tenant.pointValue, tenant.currency);
      const text = `${tenant.name}: ${code} is your code to pay ${points} points (${value})${store ? ` at ${store.name}` : ""}. It expires in 5 minutes. Tell it only to the cashier at the till.`;
      let refusal;
      try {
        refusal = await sendTenantSms(env, tenant, member.phone, text);
      } catch (error) {
        await stub.forgetCode(id, issued_at);
        throw smsFailure(error);
      }
      if (refusal) {
        // Over the tenant's SMS budget: no message, and no code the member could never have been sent.
        await stub.forgetCode(id, issued_at);
        throw refusalError(refusal);
      }
      return { status: 201, body: { sent_to: maskPhone(member.phone), expires_at } };
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/operations/:id/sms-codes/verify", errors: ["operation_not_found", "operation_not_pending", "sms_code_not_required", "already_verified", "invalid_code", "code_expired", "code_attempts_exhausted", "code_not_sent"], response: R.Operation,
      summary: "Check the code the member read out: 5 attempts, valid 5 minutes, single use",
      tag: "Cash register",
      auth: ["terminal"],
      body: VerifyCode,
      status: 200,
    },
    async ({ env, principal, param, body, idempotencyKey }) => {
      const reused = await tillKeyReused(env, principal, param("id"), idempotencyKey, "sms-codes/verify");
      if (reused) return reused;
      const id = param("id");
      const { account, scope } = locateOperation(principal, id);
      return accountOf(env, account).verifyOperationCode(id, scope, await codeHash(serverSecret(env), id, body.code));
    },
  );
}
