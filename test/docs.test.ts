import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openApiDocument } from "../src/routes/docs";
import { documented } from "../src/routes/endpoint";
import * as R from "../src/routes/responses";
import { api } from "./helpers";

/** The examples a schema carries (`.meta({ examples })`). */
const examplesOf = (schema: z.ZodType) => (schema.meta()?.examples ?? []) as unknown[];

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

  it("every route declares the body of its answer, or the type of the file it answers (the tests hold each answer to it)", async () => {
    await api("GET", "/openapi.json");
    expect(documented.filter((e) => !e.response && !e.file && e.status !== 204).map((e) => `${e.method.toUpperCase()} ${e.path}`)).toEqual([]);
  });

  it("errors are declared per route and status, each code with its details", async () => {
    const doc = openApiDocument("production") as any;
    const confirm = doc.paths["/v1/operations/{id}/confirm"].post;
    const conflicts = confirm.responses["409"].content["application/json"].schema.properties.error.discriminator.mapping;
    // A confirm's key is answered by its account in the confirm's own transaction: never "in progress".
    expect(Object.keys(conflicts).sort()).toEqual(["authorization_required", "operation_not_pending"]);
    const create = doc.paths["/v1/operations"].post;
    expect(create.responses["422"].content["application/json"].schema.properties.error.discriminator.mapping.limit_exceeded).toBe("#/components/schemas/Error_limit_exceeded");
    const limit = doc.components.schemas.Error_limit_exceeded;
    expect(limit.properties.code).toEqual({ type: "string", const: "limit_exceeded" });
    expect(limit.properties.details.required).toEqual(["limit_id", "scope", "scope_id", "metric", "period", "method", "bound", "current", "attempted"]);
    // A nullable value is a type list, not an anyOf with a null branch (Scalar's reference takes only that).
    expect(limit.properties.details.properties.method).toEqual({
      type: ["string", "null"],
      enum: ["credit", "cashback", "points", null],
      description: "The limit's method (null: a count, or an amount over every method)",
    });
    expect(JSON.stringify(doc)).not.toContain('{"type":"null"}');
    expect(confirm.security).toEqual([{ terminalKey: [] }]);
    const me = openApiDocument("production").paths["/v1/me"].get as any;
    expect(me.security).toEqual([{ memberSession: [] }, { memberToken: [] }]);
  });

  it("every example is one the schema it illustrates accepts, and the main bodies have one", async () => {
    const schemas = [
      ...Object.entries(R).filter(([, value]) => value instanceof z.ZodType).map(([name, schema]) => [name, schema as z.ZodType] as const),
      ...Object.entries(R.EVENTS).map(([type, schema]) => [type, schema as z.ZodType] as const),
      ...documented.flatMap((e) => (e.body ? [[`${e.method} ${e.path}`, e.body] as const] : [])),
    ];
    const illustrated: string[] = [];
    for (const [name, schema] of schemas) {
      for (const example of examplesOf(schema)) {
        const parsed = schema.safeParse(example);
        expect(parsed.error?.message, `the example of ${name}`).toBeUndefined();
        illustrated.push(name);
      }
    }
    for (const name of ["Operation", "ApprovalRequest", "Member", "Limit", "Alert", "operation.confirmed", "alert.raised", "post /v1/operations", "post /v1/limits", "post /v1/webhook-endpoints"]) {
      expect(illustrated, name).toContain(name);
    }
    // The document shows each named object once, with its example, and refers to it.
    const doc = openApiDocument("production") as any;
    expect(doc.components.schemas.Operation.examples).toEqual(examplesOf(R.Operation));
    expect(doc.paths["/v1/operations/{id}/confirm"].post.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Operation" });
    expect(doc.paths["/v1/operations"].post.requestBody.content["application/json"].schema.examples).toHaveLength(3);
  });

  it("webhooks: one signed POST per event type, its body the event's schema; the sockets' messages have schemas too", async () => {
    const doc = openApiDocument("production") as any;
    expect(Object.keys(doc.webhooks).sort()).toEqual([...R.EVENT_TYPES].sort());
    const confirmed = doc.webhooks["operation.confirmed"].post;
    expect(confirmed.parameters.map((p: { name: string }) => p.name)).toEqual(["webhook-id", "webhook-timestamp", "webhook-signature", "Tillsafe-Signature"]);
    expect(confirmed.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Event_operation_confirmed" });
    expect(doc.components.schemas.Event_operation_confirmed.properties.data.properties.operation).toEqual({ $ref: "#/components/schemas/Operation" });
    expect(doc.paths["/v1/events"].get.responses["200"].content["application/json"].schema.properties.data.items.oneOf).toHaveLength(7);
    const messages = doc["x-websockets"]["/v1/me/events"].messages;
    expect(messages.oneOf.map((m: any) => m.properties.type.const)).toEqual(["approval_request", "approval_request_closed", "balance", "history"]);
    expect(messages.oneOf[0].properties.request).toEqual({ $ref: "#/components/schemas/ApprovalRequest" });
  });

  it("/docs is a readable page", async () => {
    const reply = await api("GET", "/docs");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/text\/html/);
    // The reference is drawn by the bundle this server serves itself, from its own document: nothing from elsewhere.
    expect(reply.body).toContain('<script src="/docs-assets/scalar.js"></script>');
    expect(reply.body).toContain('<script src="/docs/reference.js"></script>');
    // Like every page here: no inline script may run, and no other site may frame it.
    expect(reply.headers.get("content-security-policy")).toContain("script-src 'self';");
    expect(reply.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const reference = await api("GET", "/docs/reference.js");
    expect([reference.status, reference.headers.get("content-type")]).toEqual([200, "text/javascript; charset=utf-8"]);
    expect(reference.body).toContain('"url":"/openapi.json"');
    expect(reply.body).not.toMatch(/src="https?:/);
  });
});
