import { describe, expect, it } from "vitest";
import { openApiDocument } from "../src/routes/docs";
import { documented } from "../src/routes/endpoint";
import { api } from "./helpers";

describe("contract documents", () => {
  it("/openapi.json is generated from the validating schemas", async () => {
    const reply = await api("GET", "/openapi.json");
    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toBe("3.1.0");
    for (const path of ["/v1/tenants", "/v1/settings", "/v1/stores", "/v1/stores/{id}/registers", "/v1/members/{id}/cards", "/v1/cards/{number}/replace", "/v1/operations", "/v1/operations/{id}/confirm", "/v1/members/{id}/history"]) {
      expect(reply.body.paths[path], path).toBeDefined();
    }
    const create = reply.body.paths["/v1/operations"].post;
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }));
    const variants = create.requestBody.content["application/json"].schema.oneOf ?? create.requestBody.content["application/json"].schema.anyOf;
    expect(variants.map((v: any) => v.properties.type.const).sort()).toEqual(["manual_accrual", "manual_deduction", "purchase", "refund", "top_up"]);
    expect(variants[0].additionalProperties).toBe(false);
  });

  it("the committed docs/openapi.json is the production contract (npm run openapi writes it); development adds its own routes", async () => {
    const production = openApiDocument("production");
    await expect(`${JSON.stringify(production, null, 2)}\n`).toMatchFileSnapshot("../docs/openapi.json");
    expect(production.paths["/v1/dev/sms"]).toBeUndefined();
    const served = (await api("GET", "/openapi.json")).body;
    expect(Object.keys(served.paths["/v1/dev/sms"])).toEqual(["get"]);
    expect({ ...served, paths: undefined }).toEqual({ ...production, paths: undefined });
    // Every operation has its own operationId.
    const ids = Object.values(served.paths).flatMap((item: any) => Object.values(item).map((op: any) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("every route declares the body of its answer (the tests hold each answer to it)", async () => {
    await api("GET", "/openapi.json");
    expect(documented.filter((e) => !e.response && e.status !== 204).map((e) => `${e.method.toUpperCase()} ${e.path}`)).toEqual([]);
  });

  it("errors are declared per route and status, each code with its details", async () => {
    const doc = openApiDocument("production") as any;
    const confirm = doc.paths["/v1/operations/{id}/confirm"].post;
    const conflicts = confirm.responses["409"].content["application/json"].schema.properties.error.discriminator.mapping;
    expect(Object.keys(conflicts).sort()).toEqual(["authorization_required", "idempotency_key_in_progress", "operation_not_pending"]);
    const create = doc.paths["/v1/operations"].post;
    expect(create.responses["422"].content["application/json"].schema.properties.error.discriminator.mapping.limit_exceeded).toBe("#/components/schemas/Error_limit_exceeded");
    const limit = doc.components.schemas.Error_limit_exceeded;
    expect(limit.properties.code).toEqual({ const: "limit_exceeded" });
    expect(limit.properties.details.required).toEqual(["limit_id", "scope", "scope_id", "metric", "period", "bound", "current", "attempted"]);
    expect(confirm.security).toEqual([{ terminalKey: [] }]);
    const me = openApiDocument("production").paths["/v1/me"].get as any;
    expect(me.security).toEqual([{ memberSession: [] }, { memberToken: [] }]);
  });

  it("/docs is a readable page", async () => {
    const reply = await api("GET", "/docs");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/text\/html/);
    // The reference is drawn by the bundle this server serves itself, from its own document: nothing from elsewhere.
    expect(reply.body).toContain('<script src="/docs-assets/scalar.js"></script>');
    expect(reply.body).toContain('"url":"/openapi.json"');
    expect(reply.body).not.toMatch(/src="https?:/);
  });
});
