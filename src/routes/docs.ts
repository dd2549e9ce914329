/** The machine-readable contract (/openapi.json), built from the same zod schemas that validate, and /docs. */
import { z } from "zod";
import { documented, type App, type DocumentedEndpoint } from "./endpoint";
import type { Role } from "../auth/principal";
import { SESSION_COOKIE } from "../auth/member-sessions";
import { STAFF_COOKIE } from "../auth/staff-sessions";
import { ERROR_CODES, type ErrorCode } from "../lib/error-codes";
import * as R from "./responses";
import { MAX_ATTEMPTS, TIMEOUT_MS } from "../webhooks/webhook-do";
import { DOCS_PAGE, DOCS_SCRIPT } from "../pages/docs-page";
import { html, script } from "./html";
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
  { name: "Webhooks", description: "What Tillsafe sends to the merchant's webhook endpoints: one signed POST per event, tried again until a 2xx." },
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

/** The document's named schemas (`#/components/schemas/…`), filled as the routes' schemas are converted. */
type Components = Record<string, unknown>;

/**
 * The JSON Schema as every reader of the document takes it. Scalar's reference checks each schema against its own
 * model, which wants a `type` beside a `const`, `true` rather than `{}` for any value, and no `{ "type": "null" }` of
 * its own: a nullable value is written with a type list (`["string", "null"]`), as OpenAPI 3.1 allows, instead of
 * zod's `anyOf` with a null branch.
 */
function plainSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(plainSchema);
  if (node === null || typeof node !== "object") return node;
  const schema = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, plainSchema(value)])) as Record<string, unknown>;
  // "Any value" as `true`, which the reference takes, rather than the empty schema `{}`.
  if (schema.additionalProperties !== null && typeof schema.additionalProperties === "object" && Object.keys(schema.additionalProperties).length === 0) {
    schema.additionalProperties = true;
  }
  if ("const" in schema && !("type" in schema)) {
    const value = schema.const;
    schema.type = typeof value === "number" ? (Number.isInteger(value) ? "integer" : "number") : value === null ? "null" : typeof value;
  }
  const branches = schema.anyOf as Record<string, unknown>[] | undefined;
  const isNull = (branch: Record<string, unknown>) => branch.type === "null" && Object.keys(branch).length === 1;
  if (Array.isArray(branches) && branches.length === 2 && branches.some(isNull)) {
    const other = branches.find((branch) => !isNull(branch))!;
    if (typeof other.type === "string" && !("$ref" in other)) {
      const { anyOf: _, ...rest } = schema;
      const merged: Record<string, unknown> = { ...other, ...rest, type: [other.type, "null"] };
      if (Array.isArray(other.enum)) merged.enum = [...other.enum, null];
      return merged;
    }
  }
  return schema;
}

/**
 * A zod schema as JSON Schema. The named objects in it (a schema with a `.meta({ id })`) go to `components` once and
 * are referred to by `$ref`; two different schemas under one name are a mistake, and throw.
 */
function jsonSchema(components: Components, schema: z.ZodType, io: "input" | "output" = "input"): Record<string, unknown> {
  const converted = plainSchema(z.toJSONSchema(schema, { io, unrepresentable: "any" })) as Record<string, unknown>;
  const { $schema: _, $defs, ...rest } = JSON.parse(JSON.stringify(converted).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<string, unknown>;
  for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, unknown>)) {
    if (name in components && JSON.stringify(components[name]) !== JSON.stringify(definition)) throw new Error(`Two schemas are named ${name}`);
    components[name] = definition;
  }
  return rest;
}

function queryParameters(components: Components, endpoint: DocumentedEndpoint) {
  if (!endpoint.query) return [];
  const schema = jsonSchema(components, endpoint.query) as { properties?: Record<string, { description?: string }>; required?: string[] };
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
function errorSchemas(components: Components, used: Set<ErrorCode>) {
  return Object.fromEntries(
    (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => used.has(code)).map((code) => [
      errorSchemaName(code),
      {
        type: "object",
        required: ["code", "message", "details"],
        properties: { code: { type: "string", const: code }, message: { type: "string" }, details: jsonSchema(components, ERROR_CODES[code].details, "output") },
      },
    ]),
  );
}

const STATUS_WORDS: Record<number, string> = {
  400: "Invalid request",
  401: "Unauthenticated",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Too large",
  422: "Refused",
  426: "Upgrade required",
  429: "Too many requests",
  502: "The SMS provider failed",
};

/** One error status of a route: the codes it may answer with that status, told apart by `code`. */
function errorResponse(codes: ErrorCode[], status: number) {
  const ref = (code: ErrorCode) => `#/components/schemas/${errorSchemaName(code)}`;
  const error =
    codes.length === 1
      ? { $ref: ref(codes[0]) }
      : { oneOf: codes.map((code) => ({ $ref: ref(code) })), discriminator: { propertyName: "code", mapping: Object.fromEntries(codes.map((code) => [code, ref(code)])) } };
  return {
    description: `${STATUS_WORDS[status] ?? "Error"}: ${codes.map((code) => `\`${code}\``).join(", ")}`,
    ...(status === 429 ? { headers: { "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer" } } } } : {}),
    content: { "application/json": { schema: { type: "object", required: ["error"], properties: { error } } } },
  };
}

function responsesOf(components: Components, endpoint: DocumentedEndpoint) {
  const success =
    endpoint.status === 204
      ? { description: "Done; no body" }
      : endpoint.file
        ? { description: endpoint.summary, content: { [endpoint.file]: { schema: { type: "string", format: "binary" } } } }
        : { description: endpoint.summary, content: { "application/json": { schema: endpoint.response ? jsonSchema(components, endpoint.response, "output") : { type: "object" } } } };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of endpoint.errors) byStatus.set(ERROR_CODES[code].status, [...(byStatus.get(ERROR_CODES[code].status) ?? []), code]);
  return {
    [String(endpoint.status)]: success,
    ...Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, codes]) => [String(status), errorResponse(codes, status)])),
  };
}

/**
 * The two live channels, WebSockets of the member page and of the console. OpenAPI has no operation for a socket
 * (its answer is a 101), so they are described beside the paths, in `x-websockets`, each with the schema of its
 * messages (JSON text, one object per message, told apart by `type`).
 */
function webSockets(components: Components) {
  const errors = ["unauthenticated", "forbidden (another origin)", "upgrade_required (not a WebSocket upgrade)"];
  return {
    "/v1/me/events": {
      summary: "The member's open page, live",
      security: [{ memberSession: [] }, { memberToken: [] }],
      description: "Send the text `balances` to get the balances now; `ping` is answered `pong`.",
      messages: jsonSchema(components, R.MemberMessage, "output"),
      errors,
    },
    "/v1/alerts/live": {
      summary: "The console's alerts, live",
      security: [{ secretKey: [] }, { staffSession: [] }],
      messages: jsonSchema(components, R.ConsoleMessage, "output"),
      errors,
    },
  };
}

/** The headers every webhook delivery carries (Standard Webhooks, and Tillsafe's own signature beside them). */
const WEBHOOK_HEADERS = [
  { name: "webhook-id", description: "The event id: the same when the event is sent again (deduplicate on it)", schema: { type: "string" } },
  { name: "webhook-timestamp", description: "When this attempt was signed, in unix seconds (refuse one more than 5 minutes off)", schema: { type: "string" } },
  { name: "webhook-signature", description: "`v1,<base64 HMAC-SHA256 of \"<id>.<timestamp>.<raw body>\">`, keyed with the endpoint's `whsec_` secret; two, space-separated, for 24 hours after a rotation", schema: { type: "string" } },
  { name: "Tillsafe-Signature", description: "`t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">`, with the same key", schema: { type: "string" } },
].map((header) => ({ ...header, in: "header", required: true }));

/** OpenAPI 3.1 `webhooks`: what Tillsafe POSTs to an endpoint, one entry per event type. */
function webhooks(components: Components) {
  return Object.fromEntries(
    Object.entries(R.EVENTS).map(([type, schema]) => [
      type,
      {
        post: {
          operationId: `webhook${type.split(/[._]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("")}`,
          summary: type,
          description: `${schema.meta()?.description ?? type}. Answer 2xx within ${TIMEOUT_MS / 1000} seconds; anything else is tried again later, with backoff.`,
          tags: ["Webhooks"],
          // Tillsafe calls the merchant: no credential of this API; the signature headers prove the sender.
          security: [],
          parameters: WEBHOOK_HEADERS,
          requestBody: { required: true, content: { "application/json": { schema: jsonSchema(components, schema, "output") } } },
          responses: {
            "200": { description: "Received; any 2xx will do" },
            "400": { description: `Refused (say, a signature that does not verify). Any answer but a 2xx, or none within ${TIMEOUT_MS / 1000} seconds, is tried again later, up to ${MAX_ATTEMPTS} attempts.` },
          },
        },
      },
    ]),
  );
}

/** The contract of the routes this environment has (the development routes only in development). */
export function openApiDocument(environment: string | undefined) {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Components = {};
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
        ...queryParameters(components, endpoint),
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
      ...(endpoint.body ? { requestBody: { required: !endpoint.body.safeParse({}).success, content: { "application/json": { schema: jsonSchema(components, endpoint.body) } } } } : {}),
      responses: responsesOf(components, endpoint),
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
    paths,
    webhooks: webhooks(components),
    "x-websockets": webSockets(components),
    components: { securitySchemes: SECURITY_SCHEMES, schemas: sortedByName({ ...errorSchemas(components, new Set(documented.flatMap((e) => e.errors))), ...components }) },
  };
}

const sortedByName = (schemas: Components) => Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export function docsRoutes(app: App): void {
  app.get("/openapi.json", (c) => c.json(openApiDocument(c.env.ENVIRONMENT)));
  // The interactive reference (Scalar, served by this Worker) with the guide as its introduction.
  app.get("/docs", (c) => html(c, DOCS_PAGE));
  app.get("/docs/reference.js", (c) => script(c, DOCS_SCRIPT));
}
