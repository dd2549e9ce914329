import { z } from "zod";
import { issueKey } from "../auth/keys";
import { auditInsert } from "../db/audit";
import { presentKey } from "../db/keys";
import { addRegister, addStore, changeStore, findStore, presentRegister, presentStore, registersOfStore, storeAsStored, storesPage } from "../db/stores";
import { notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { name, pageQuery } from "../lib/schemas";
import { endpoint, type App } from "./endpoint";
import * as R from "./responses";

export const CreateStore = z.strictObject({
  name,
  sms_confirm_points_deduction: z.boolean().default(false),
});

export const UpdateStore = z.strictObject({
  name: name.optional(),
  sms_confirm_points_deduction: z.boolean().optional(),
});

export const CreateRegister = z.strictObject({ name });


export function storeRoutes(app: App): void {
  endpoint(
    app,
    { method: "post", path: "/v1/stores", response: R.Store, summary: "Create a store", tag: "Back office", auth: ["secret"], body: CreateStore },
    async ({ env, principal, body, keyed }) => {
      const store = {
        id: newId("sto"),
        tenantId: principal.tenantId,
        name: body.name,
        smsConfirmPointsDeduction: body.sms_confirm_points_deduction,
        createdAt: new Date().toISOString(),
      };
      const answer = { status: 201, body: presentStore(store) };
      await addStore(env.DB, store, auditInsert(env.DB, principal, "store.created", store.id, { after: presentStore(store) }), await keyed.answerWith(answer));
      return answer;
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/stores", response: R.listOf(R.Store), summary: "List stores, newest first", tag: "Back office", auth: ["secret"], query: pageQuery },
    async ({ env, principal, query }) => {
      return { status: 200, body: await storesPage(env.DB, principal.tenantId, query) };
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/stores/:id", errors: ["store_not_found"], response: R.Store, summary: "Read a store", tag: "Back office", auth: ["secret"] },
    async ({ env, principal, param }) => {
      const store = await findStore(env.DB, principal.tenantId, param("id"));
      if (!store) throw notFound("store_not_found", "Store");
      return { status: 200, body: presentStore(store) };
    },
  );

  endpoint(
    app,
    { method: "patch", path: "/v1/stores/:id", errors: ["store_not_found"], response: R.Store, summary: "Change a store", tag: "Back office", auth: ["secret"], body: UpdateStore },
    async ({ env, principal, param, body }) => {
      const changes = {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.sms_confirm_points_deduction !== undefined ? { smsConfirmPointsDeduction: body.sms_confirm_points_deduction } : {}),
      };
      const before = await storeAsStored(env.DB, principal.tenantId, param("id"));
      if (!before) throw notFound("store_not_found", "Store");
      const store = Object.keys(changes).length > 0 ? { ...before, ...changes } : before;
      if (Object.keys(changes).length > 0) {
        await changeStore(env.DB, before, changes, auditInsert(env.DB, principal, "store.changed", store.id, { before: presentStore(before), after: presentStore(store) }));
      }
      return { status: 200, body: presentStore(store) };
    },
  );

  endpoint(
    app,
    {
      method: "post",
      path: "/v1/stores/:id/registers", errors: ["store_not_found"], response: R.RegisterMade,
      summary: "Create a cash register and its terminal key (shown once)",
      tag: "Back office",
      auth: ["secret"],
      body: CreateRegister,
    },
    async ({ env, principal, param, body, keyed }) => {
      const store = await findStore(env.DB, principal.tenantId, param("id"));
      if (!store) throw notFound("store_not_found", "Store");
      const createdAt = new Date().toISOString();
      const register = { id: newId("reg"), tenantId: principal.tenantId, storeId: store.id, name: body.name, createdAt };
      const key = await issueKey("terminal");
      const keyRow = { id: key.id, tenantId: principal.tenantId, kind: "terminal" as const, secretHash: key.secretHash, storeId: store.id, registerId: register.id, createdAt, revokedAt: null, lastUsedAt: null };
      const answer = { status: 201, body: { register: presentRegister(register), terminal_key: key.token, key: presentKey(keyRow) } };
      const audit = auditInsert(env.DB, principal, "register.created", register.id, { after: { ...presentRegister(register), terminal_key_id: key.id } });
      await addRegister(env.DB, register, keyRow, audit, await keyed.answerWith(answer));
      return answer;
    },
  );

  endpoint(
    app,
    { method: "get", path: "/v1/stores/:id/registers", errors: ["store_not_found"], response: R.listOf(R.Register), summary: "List a store's registers", tag: "Back office", auth: ["secret"] },
    async ({ env, principal, param }) => {
      const store = await findStore(env.DB, principal.tenantId, param("id"));
      if (!store) throw notFound("store_not_found", "Store");
      const rows = await registersOfStore(env.DB, principal.tenantId, store.id);
      return { status: 200, body: { data: rows.map(presentRegister), next_cursor: null } };
    },
  );
}
