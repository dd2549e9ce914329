/** App assembly: request id, body limit, one error shape, and the routes. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { ApiError, errorBody } from "./lib/errors";
import { randomIdBody } from "./lib/ids";
import { browserTillRoutes } from "./routes/browser-tills";
import { cardRoutes } from "./routes/cards";
import { docsRoutes } from "./routes/docs";
import type { AppEnv } from "./routes/endpoint";
import { devRoutes } from "./routes/dev";
import { alertRoutes } from "./routes/alerts";
import { webhookEndpointRoutes } from "./routes/webhook-endpoints";
import { eventRoutes } from "./routes/events";
import { keyRoutes } from "./routes/keys";
import { limitRoutes } from "./routes/limits";
import { auditLogRoutes } from "./routes/audit-log";
import { reportRoutes } from "./routes/reports";
import { meRoutes } from "./routes/me";
import { memberLoginRoutes } from "./routes/member-login";
import { smsCodeRoutes } from "./routes/sms-codes";
import { memberRoutes, portalSessionRoutes } from "./routes/members";
import { pageRoutes } from "./routes/pages";
import { consoleRoutes } from "./routes/console";
import { terminalRoutes } from "./routes/terminal";
import { testSmsRoutes } from "./routes/test-sms";
import { operationRoutes } from "./routes/operations";
import { settingsRoutes } from "./routes/settings";
import { staffRoutes } from "./routes/staff";
import { storeRoutes } from "./routes/stores";
import { tenantRoutes } from "./routes/tenants";
import { platformRoutes } from "./routes/platform";
import { exportRoutes } from "./routes/exports";

export const MAX_BODY_BYTES = 64 * 1024;

export function buildApp() {
  const app = new Hono<AppEnv>();

  const tooLarge = () => new ApiError("payload_too_large", `The body is larger than ${MAX_BODY_BYTES} bytes`);
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw tooLarge();
    },
  });

  app.use(async (c, next) => {
    const requestId = c.req.header("x-request-id")?.slice(0, 64) || `req_${randomIdBody()}`;
    // A declared length is checked as it is; a streamed body (no length) is counted as it is read.
    const headers = c.req.raw.headers;
    const declared = headers.get("content-length");
    if (declared !== null && !headers.has("transfer-encoding")) {
      if (Number(declared) > MAX_BODY_BYTES) throw tooLarge();
      await next();
    } else if (c.req.method === "GET" || c.req.method === "HEAD") {
      await next();
    } else {
      await limitBody(c, next);
    }
    // A WebSocket upgrade's response headers are immutable: that answer goes out as it is.
    if (c.res.status !== 101) c.res.headers.set("x-request-id", requestId);
  });

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json(errorBody(error.code, error.message, error.details), error.status as 400, error.headers);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(errorBody("invalid_request", error.message || "Bad request"), error.status);
    }
    console.error("unhandled error", error);
    return c.json(errorBody("internal_error", "Something went wrong on our side; the request may be retried"), 500);
  });

  app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));

  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/", (c) =>
    c.json({ name: "Tillsafe", docs: "/docs", openapi: "/openapi.json" }),
  );
  // Before the routes: the CORS of browser tills answers preflights and refuses foreign pages first.
  browserTillRoutes(app);
  tenantRoutes(app);
  platformRoutes(app);
  exportRoutes(app);
  staffRoutes(app);
  settingsRoutes(app);
  storeRoutes(app);
  keyRoutes(app);
  memberRoutes(app);
  portalSessionRoutes(app);
  cardRoutes(app);
  operationRoutes(app);
  smsCodeRoutes(app);
  limitRoutes(app);
  auditLogRoutes(app);
  reportRoutes(app);
  alertRoutes(app);
  webhookEndpointRoutes(app);
  eventRoutes(app);
  terminalRoutes(app);
  memberLoginRoutes(app);
  meRoutes(app);
  testSmsRoutes(app);
  devRoutes(app);
  pageRoutes(app);
  consoleRoutes(app);
  docsRoutes(app);
  return app;
}
