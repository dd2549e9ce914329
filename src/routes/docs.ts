/** The machine-readable contract (/openapi.json), built from the same zod schemas that validate, and /docs. */
import { z } from "zod";
import { documented, type App, type DocumentedEndpoint } from "./endpoint";
import type { Role } from "../auth/principal";
import { SESSION_COOKIE } from "../auth/member-sessions";
import { STAFF_COOKIE } from "../auth/staff-sessions";
import { ERROR_CODES, type ErrorCode } from "../lib/error-codes";
// The guide (docs/guide.md, Markdown) is the document's introduction: /docs shows it above the reference.
import GUIDE from "../../docs/guide.md";

/** Each credential's security schemes; a route that takes several kinds lists each as an alternative. */
const SECURITY: Record<Role, string[]> = {
  platform: ["platformToken"],
  secret: ["secretKey", "staffSession"],
  terminal: ["terminalKey"],
  member: ["memberSession", "memberToken"],
};

const SECURITY_SCHEMES = {
  platformToken: { type: "http", scheme: "bearer", description: "The platform operator's token (creates tenants)." },
  secretKey: { type: "http", scheme: "bearer", description: "A tenant's secret key `sk_…`: the back office. Never put it in a browser or a till." },
  terminalKey: { type: "http", scheme: "bearer", description: "A register's terminal key `tk_…`: one cash register of one store." },
  staffSession: { type: "apiKey", in: "cookie", name: STAFF_COOKIE, description: "A console session of a member of staff (signed in at /console); acts as the back office within the staff member's role." },
  memberSession: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "The hosted membership page's session cookie." },
  memberToken: { type: "http", scheme: "bearer", description: "A member session token `ms_…` (the same session, for a native app)." },
};

const TAGS = [
  { name: "Cash register", description: "What a till does with its terminal key: hold, authorize (member approval, SMS code), confirm or cancel, refund." },
  { name: "Back office", description: "The merchant's own systems with the secret key: settings, stores, registers, keys, members, cards, operations." },
  { name: "Limits and alerts", description: "Soft and hard limits with their counters, alerts, webhook endpoints and the event log." },
  { name: "Member", description: "The hosted membership page (or a member app): balances, history, cards, approval requests." },
  { name: "Console", description: "Merchant staff: sign-up, sessions, staff and roles, the audit log and the day's report." },
  { name: "Platform", description: "The platform operator: tenants and sign-up invitations." },
  { name: "Test mode", description: "What a test tenant offers in place of real phones." },
  { name: "Development", description: "Only when the server runs with ENVIRONMENT=development." },
];

/** A stable, unique operationId from the method and path: `POST /v1/operations/:id/confirm` → `postOperationsByIdConfirm`. */
export function operationIdOf(endpoint: Pick<DocumentedEndpoint, "method" | "path">): string {
  const words = endpoint.path
    .replace(/^\/v1\//, "")
    .split(/[/-]/)
    .filter(Boolean)
    .map((part) => (part.startsWith(":") ? `by_${part.slice(1)}` : part))
    .flatMap((part) => part.split("_"))
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${endpoint.method}${words.join("")}`;
}

function jsonSchema(schema: z.ZodType, io: "input" | "output" = "input") {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

function queryParameters(endpoint: DocumentedEndpoint) {
  if (!endpoint.query) return [];
  const schema = jsonSchema(endpoint.query) as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: schema.required?.includes(name) ?? false,
    description: property.description ?? name.replaceAll("_", " "),
    schema: property,
  }));
}

const errorSchemaName = (code: ErrorCode) => `Error_${code}`;

/** Each error code a route answers as a named schema (`Error_limit_exceeded`): the code, a message in words, its details. */
function errorSchemas(used: Set<ErrorCode>) {
  return Object.fromEntries(
    (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => used.has(code)).map((code) => [
      errorSchemaName(code),
      {
        type: "object",
        required: ["code", "message", "details"],
        properties: { code: { const: code }, message: { type: "string" }, details: jsonSchema(ERROR_CODES[code].details, "output") },
      },
    ]),
  );
}

/** One error status of a route: the codes it may answer with that status, told apart by `code`. */
function errorResponse(codes: ErrorCode[], status: number) {
  const ref = (code: ErrorCode) => `#/components/schemas/${errorSchemaName(code)}`;
  const error =
    codes.length === 1
      ? { $ref: ref(codes[0]) }
      : { oneOf: codes.map((code) => ({ $ref: ref(code) })), discriminator: { propertyName: "code", mapping: Object.fromEntries(codes.map((code) => [code, ref(code)])) } };
  return {
    description: codes.join(", "),
    ...(status === 429 ? { headers: { "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer" } } } } : {}),
    content: { "application/json": { schema: { type: "object", required: ["error"], properties: { error } } } },
  };
}

function responsesOf(endpoint: DocumentedEndpoint) {
  const success =
    endpoint.status === 204
      ? { description: "Done; no body" }
      : { description: endpoint.summary, content: { "application/json": { schema: endpoint.response ? jsonSchema(endpoint.response, "output") : { type: "object" } } } };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of endpoint.errors) byStatus.set(ERROR_CODES[code].status, [...(byStatus.get(ERROR_CODES[code].status) ?? []), code]);
  return {
    [String(endpoint.status)]: success,
    ...Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, codes]) => [String(status), errorResponse(codes, status)])),
  };
}

/**
 * The two live channels, WebSockets of the member page and of the console. OpenAPI has no operation for a socket
 * (its answer is a 101), so they are described beside the paths, in `x-websockets`.
 */
const WEBSOCKETS = {
  "/v1/me/events": {
    summary: "The member's open page, live",
    security: [{ memberSession: [] }, { memberToken: [] }],
    messages: {
      approval_request: "a request to approve: `{ type, request }`",
      approval_request_closed: "a request answered, resent, cancelled or expired: `{ type, request }`",
      balance: "the balances now: `{ type, balances }` (also the answer to the text `balances`)",
      history: "new history entries, newest first: `{ type, entries }`",
    },
    errors: ["unauthenticated", "forbidden (another origin)", "upgrade_required (not a WebSocket upgrade)"],
  },
  "/v1/alerts/live": {
    summary: "The console's alerts, live",
    security: [{ secretKey: [] }, { staffSession: [] }],
    messages: { alerts: "new alerts: `{ type, alerts }`", alert_changed: "an alert acknowledged or resolved: `{ type, alert }`" },
    errors: ["unauthenticated", "forbidden (another origin)", "upgrade_required (not a WebSocket upgrade)"],
  },
};

/** The contract of the routes this environment has (the development routes only in development). */
export function openApiDocument(environment: string | undefined) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of documented) {
    if (endpoint.tag === "Development" && environment !== "development") continue;
    const path = endpoint.path.replace(/:([a-z_]+)/g, "{$1}");
    const pathParameters = [...endpoint.path.matchAll(/:([a-z_]+)/g)].map((match) => ({
      name: match[1],
      in: "path",
      required: true,
      description: `The ${match[1].replaceAll("_", " ")}`,
      schema: { type: "string" },
    }));
    paths[path] ??= {};
    paths[path][endpoint.method] = {
      operationId: operationIdOf(endpoint),
      summary: endpoint.summary,
      description: `${endpoint.summary}.`,
      tags: [endpoint.tag],
      security: endpoint.auth.flatMap((role) => SECURITY[role].map((scheme) => ({ [scheme]: [] }))),
      parameters: [
        ...pathParameters,
        ...queryParameters(endpoint),
        ...(endpoint.method === "post" && endpoint.auth.some((role) => role !== "member")
          ? [
              {
                name: "Idempotency-Key",
                in: "header",
                required: endpoint.path === "/v1/operations",
                description: "Sent again with the same request, the first answer comes back and nothing happens twice.",
                schema: { type: "string", minLength: 1, maxLength: 255 },
              },
            ]
          : []),
      ],
      // An empty body reads as {}: it is required only where {} is not enough.
      ...(endpoint.body ? { requestBody: { required: !endpoint.body.safeParse({}).success, content: { "application/json": { schema: jsonSchema(endpoint.body) } } } } : {}),
      responses: responsesOf(endpoint),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Tillsafe API",
      version: "1.0.0",
      description: GUIDE,
      contact: { name: "Tillsafe" },
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [{ url: "/", description: "This server" }],
    tags: TAGS,
    components: { securitySchemes: SECURITY_SCHEMES, schemas: errorSchemas(new Set(documented.flatMap((e) => e.errors))) },
    paths,
    "x-websockets": WEBSOCKETS,
  };
}

/** Scalar's settings: nothing from outside this server (no web fonts, no AI agent calling scalar.com), examples with fetch. */
const SCALAR_CONFIGURATION = {
  withDefaultFonts: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
  hideClientButton: true,
  defaultHttpClient: { targetKey: "js", clientKey: "fetch" },
  telemetry: false,
};

export function docsRoutes(app: App): void {
  app.get("/openapi.json", (c) => c.json(openApiDocument(c.env.ENVIRONMENT)));
  // The interactive reference: Scalar's standalone bundle, served as a static asset of this Worker (no CDN, no
  // fonts from elsewhere), reading /openapi.json; the guide is the document's introduction.
  app.get("/docs", (c) =>
    c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Tillsafe API</title></head><body>
<noscript><h1>Tillsafe API</h1><p>The reference needs JavaScript. The contract is <a href="/openapi.json">/openapi.json</a>, and its description is the guide.</p></noscript>
<div id="reference"></div>
<script src="/docs-assets/scalar.js"></script>
<script>Scalar.createApiReference("#reference", ${JSON.stringify({ url: "/openapi.json", ...SCALAR_CONFIGURATION })});</script></body></html>`),
  );
}
