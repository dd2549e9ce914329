/** The machine-readable contract (/openapi.json), built from the same zod schemas that validate, and /docs. */
import { z } from "zod";
import { documented, type App, type DocumentedEndpoint } from "./endpoint";

const SECURITY: Record<string, string> = {
  platform: "platformToken",
  secret: "secretKey",
  terminal: "terminalKey",
};

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "details"],
      properties: { code: { type: "string" }, message: { type: "string" }, details: { type: "object" } },
    },
  },
};

function jsonSchema(schema: z.ZodType) {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
}

function queryParameters(endpoint: DocumentedEndpoint) {
  if (!endpoint.query) return [];
  const schema = jsonSchema(endpoint.query) as { properties?: Record<string, unknown> };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({ name, in: "query", required: false, schema: property }));
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of documented) {
    const path = endpoint.path.replace(/:([a-z_]+)/g, "{$1}");
    const pathParameters = [...endpoint.path.matchAll(/:([a-z_]+)/g)].map((match) => ({
      name: match[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    paths[path] ??= {};
    paths[path][endpoint.method] = {
      summary: endpoint.summary,
      tags: [endpoint.tag],
      security: endpoint.auth.map((role) => ({ [SECURITY[role]]: [] })),
      parameters: [
        ...pathParameters,
        ...queryParameters(endpoint),
        ...(endpoint.method === "post"
          ? [{ name: "Idempotency-Key", in: "header", required: endpoint.path === "/v1/operations", schema: { type: "string", minLength: 1, maxLength: 255 } }]
          : []),
      ],
      ...(endpoint.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(endpoint.body) } } } } : {}),
      responses: {
        [String(endpoint.status)]: { description: "Success" },
        default: { description: "Error", content: { "application/json": { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Tillsafe API", version: "1.0.0", description: "Loyalty balances secured at the till. The contract in prose is docs/api.md in the repository." },
    components: {
      securitySchemes: {
        platformToken: { type: "http", scheme: "bearer", description: "Platform operator token" },
        secretKey: { type: "http", scheme: "bearer", description: "Tenant secret key sk_…" },
        terminalKey: { type: "http", scheme: "bearer", description: "Terminal key tk_… of one register" },
      },
    },
    paths,
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);

export function docsRoutes(app: App): void {
  app.get("/openapi.json", (c) => c.json(openApiDocument()));
  app.get("/docs", (c) => {
    const rows = documented
      .map(
        (e) =>
          `<tr><td><code>${e.method.toUpperCase()}</code></td><td><code>${escapeHtml(e.path.replace(/:([a-z_]+)/g, "{$1}"))}</code></td>` +
          `<td>${escapeHtml(e.summary)}</td><td>${e.auth.join(", ")}</td></tr>`,
      )
      .join("\n");
    return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Tillsafe API</title><style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}
table{border-collapse:collapse;width:100%}td{border-bottom:1px solid #ddd;padding:.4rem .6rem;vertical-align:top}code{font-size:13px}</style></head>
<body><h1>Tillsafe API</h1><p>Amounts are integers in minor units. Errors: <code>{"error":{"code","message","details"}}</code>.
The full machine-readable contract is at <a href="/openapi.json">/openapi.json</a>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th><th>Credential</th></tr></thead><tbody>${rows}</tbody></table></body></html>`);
  });
}
