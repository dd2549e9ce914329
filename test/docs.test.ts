import { describe, expect, it } from "vitest";
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

  it("the committed docs/openapi.json is the one the server serves (npm run openapi writes it)", async () => {
    const reply = await api("GET", "/openapi.json");
    await expect(`${JSON.stringify(reply.body, null, 2)}\n`).toMatchFileSnapshot("../docs/openapi.json");
  });

  it("/docs is a readable page", async () => {
    const reply = await api("GET", "/docs");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/text\/html/);
    expect(reply.body).toContain("/v1/operations/{id}/confirm");
  });
});
