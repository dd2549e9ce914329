/**
 * Development-only routes (ENVIRONMENT=development; everywhere else they do not exist). The demo seed makes the
 * tenant "Cafe Aroma" with a store, a register and the member Nicola holding 150.00 credit, once: every id and key
 * is derived from the server secret, so a second call finds what the first one made and changes nothing.
 */
import type { Hono } from "hono";

import { createPortalLink } from "../auth/member-sessions";
import { addDemoRecords } from "../db/demo";
import { hashPassword } from "../auth/passwords";
import type { Env } from "../env";
import { base32, base64url } from "../lib/encoding";
import { ApiError, errorBody } from "../lib/errors";
import { operationId } from "../lib/ids";
import { minorDigits } from "../lib/money";
import { devMessages } from "../db/dev-sms";
import { serverSecret } from "../lib/server-secret";
import { endpoint, type App, type AppEnv } from "./endpoint";
import { DevSmsQuery } from "./requests";
import * as R from "./responses";
import { accountOf } from "../objects";

const DEMO_CARD = "6001000000000001";
const DEMO_CREDIT = 15_000;
/** The demo's owner login for the console (development only, printed by `npm start`). */
const DEMO_OWNER = { email: "owner@cafe-aroma.example", password: "cafe aroma demo owner" };

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

async function demoId(secret: string, label: string): Promise<string> {
  return base32((await digest(`tillsafe-demo:${secret}:id:${label}`)).slice(0, 10));
}

async function demoKey(secret: string, kind: "sk" | "tk", keyId: string) {
  const value = base64url(await digest(`tillsafe-demo:${secret}:key:${kind}`));
  return { token: `${kind}_${keyId}_${value}`, hash: [...(await digest(value))].map((b) => b.toString(16).padStart(2, "0")).join("") };
}

export async function seedDemo(env: Env, origin: string) {
  const secret = serverSecret(env);
  const tenantId = `ten_${await demoId(secret, "tenant")}`;
  const storeId = `sto_${await demoId(secret, "store")}`;
  const registerId = `reg_${await demoId(secret, "register")}`;
  const memberId = `mem_${await demoId(secret, "member")}`;
  const secretKeyId = await demoId(secret, "secret-key");
  const terminalKeyId = await demoId(secret, "terminal-key");
  const secretKey = await demoKey(secret, "sk", secretKeyId);
  const terminalKey = await demoKey(secret, "tk", terminalKeyId);
  const now = new Date().toISOString();
  const owner = { id: `stf_${await demoId(secret, "owner")}`, email: DEMO_OWNER.email, passwordHash: await hashPassword(DEMO_OWNER.password, secret) };
  await addDemoRecords(
    env.DB,
    { tenantId, storeId, registerId, memberId, secretKey: { id: secretKeyId, hash: secretKey.hash }, terminalKey: { id: terminalKeyId, hash: terminalKey.hash }, owner, card: DEMO_CARD },
    now,
  );

  // Nicola's 150.00: a top-up with a fixed operation id, so the account answers a repeat from its idempotency record.
  const account = { tenant_id: tenantId, member_id: memberId };
  const stub = accountOf(env, account);
  await stub.addCard(account, DEMO_CARD);
  const topUpId = await operationId(memberId, tenantId, registerId, "demo-seed-top-up");
  await stub.createOperation(account, {
    id: topUpId,
    fingerprint: "demo-seed-top-up",
    member_id: memberId,
    store_id: storeId,
    register_id: registerId,
    request: { type: "top_up", card: DEMO_CARD, method: "credit", amount: DEMO_CREDIT },
    policy: { approval_required_for: [], points_per_currency_unit: 1, point_value: 1, hold_ttl_seconds: 900, minor_digits: minorDigits("USD"), sms_confirm_points_deduction: false },
    now: Date.now(),
  });
  await stub.confirm(topUpId);

  const link = await createPortalLink(env.DB, tenantId, memberId);
  return {
    tenant_id: tenantId,
    secret_key: secretKey.token,
    terminal_key: terminalKey.token,
    member_id: memberId,
    card: DEMO_CARD,
    register_url: `${origin}/register#key=${terminalKey.token}&card=${DEMO_CARD}`,
    member_url: `${origin}/portal/${link.token}`,
    member_url_expires_at: link.expiresAt,
    console_url: `${origin}/console`,
    owner_email: DEMO_OWNER.email,
    owner_password: DEMO_OWNER.password,
  };
}

export function devRoutes(app: App): void {
  (app as Hono<AppEnv>).use("/v1/dev/*", async (c, next) => {
    if (c.env.ENVIRONMENT !== "development") return c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404);
    await next();
  });

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/dev/seed",
      response: R.DemoSeeded,
      summary: "Development only: create the Cafe Aroma demo once and return its keys and links",
      tag: "Development",
      auth: ["platform"],
      status: 200,
    },
    async ({ c, env }) => {
      if (env.ENVIRONMENT !== "development") throw new ApiError("not_found", "Not found");
      return { status: 200, body: await seedDemo(env, new URL(c.req.url).origin) };
    },
  );

  endpoint(
    app,
    {
      method: "get",
      path: "/v1/dev/sms", response: R.SmsOutbox,
      summary: "Development only: the SMS outbox that stands in for a provider, newest first",
      tag: "Development",
      auth: ["platform"],
      query: DevSmsQuery,
    },
    async ({ env, query }) => ({ status: 200, body: { data: await devMessages(env.DB, { phone: query.phone }, query.limit) } }),
  );
}
