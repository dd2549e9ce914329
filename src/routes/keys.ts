/** Credentials of the tenant: list, issue (shown once), revoke. Only hashes are stored. */
import { forgetKey } from "../auth/credentials";
import { issueKey } from "../auth/keys";
import { auditIfChanged, auditInsert } from "../db/audit";
import { addKey, keyNotRevoked, keysOfTenant, presentKey, revokeKey } from "../db/keys";
import { findRegister } from "../db/stores";
import { notFound } from "../lib/errors";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";

export function keyRoutes(app: App): void {
  endpoint(
    app,
    { method: "get", path: "/v1/keys", response: R.listOf(R.Key), summary: "The tenant's secret and terminal keys (never their secrets)", tag: "Back office", auth: ["secret"] },
    async ({ env, principal }) => {
      const rows = await keysOfTenant(env.DB, principal.tenantId);
      return { status: 200, body: { data: rows.map(presentKey), next_cursor: null } };
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/secret-keys", response: R.SecretKeyMade, summary: "Issue another secret key (shown once)", tag: "Back office", auth: ["secret"] },
    async ({ env, principal, keyed }) => {
      const key = await issueKey("secret");
      const row = { id: key.id, tenantId: principal.tenantId, kind: "secret" as const, secretHash: key.secretHash, storeId: null, registerId: null, createdAt: new Date().toISOString(), revokedAt: null, lastUsedAt: null };
      const answer = { status: 201, body: { key: presentKey(row), secret_key: key.token } };
      await addKey(env.DB, row, auditInsert(env.DB, principal, "key.issued", row.id, { after: presentKey(row) }), await keyed.answerWith(answer));
      return answer;
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/registers/:id/terminal-keys", errors: ["register_not_found"], response: R.TerminalKeyMade, summary: "Issue a new terminal key for a register (shown once); revoke the old one separately", tag: "Back office", auth: ["secret"] },
    async ({ env, principal, param, keyed }) => {
      const register = await findRegister(env.DB, principal.tenantId, param("id"));
      if (!register) throw notFound("register_not_found", "Register");
      const key = await issueKey("terminal");
      const row = { id: key.id, tenantId: principal.tenantId, kind: "terminal" as const, secretHash: key.secretHash, storeId: register.storeId, registerId: register.id, createdAt: new Date().toISOString(), revokedAt: null, lastUsedAt: null };
      const answer = { status: 201, body: { key: presentKey(row), terminal_key: key.token } };
      await addKey(env.DB, row, auditInsert(env.DB, principal, "key.issued", row.id, { after: presentKey(row) }), await keyed.answerWith(answer));
      return answer;
    },
  );

  endpoint(
    app,
    { method: "post", path: "/v1/keys/:id/revoke", errors: ["key_not_found"], response: R.Key, summary: "Revoke a key: it stops working at once here and within 30 seconds everywhere", tag: "Back office", auth: ["secret"], status: 200 },
    async ({ env, principal, param }) => {
      const live = await keyNotRevoked(env.DB, principal.tenantId, param("id"));
      if (!live) throw notFound("key_not_found", "Key");
      const row = { ...live, revokedAt: new Date().toISOString() };
      // Two revocations at once: one changes the row and records it, the other finds no live key.
      if (!(await revokeKey(env.DB, principal.tenantId, row.id, row.revokedAt, auditIfChanged(env.DB, principal, "key.revoked", row.id, { before: presentKey(live), after: presentKey(row) })))) {
        throw notFound("key_not_found", "Key");
      }
      forgetKey(row.id);
      return { status: 200, body: presentKey(row) };
    },
  );
}
