/**
 * Every answer the tests receive is held to the contract the OpenAPI document declares for its route: a success
 * body to the route's response schema, an error to the codes the route names and the details of that code. So are
 * the live pages' messages and what webhook endpoints receive. An answer that drifts fails the test that received it.
 */
import { documented, type DocumentedEndpoint } from "../src/routes/endpoint";
import { ERROR_CODES, type ErrorCode } from "../src/lib/error-codes";
import * as R from "../src/routes/responses";

const patterns = new Map<DocumentedEndpoint, RegExp>();
const patternOf = (endpoint: DocumentedEndpoint) => {
  let pattern = patterns.get(endpoint);
  if (!pattern) {
    pattern = new RegExp(`^${endpoint.path.replace(/:[a-z_]+/g, "[^/]+")}$`);
    patterns.set(endpoint, pattern);
  }
  return pattern;
};

/** The documented route a request reached (a literal path before one with a parameter, as the router does). */
function routeOf(method: string, path: string): DocumentedEndpoint | undefined {
  const matches = documented.filter((e) => e.method === method.toLowerCase() && patternOf(e).test(path));
  return matches.find((e) => !e.path.includes(":")) ?? matches[0];
}

export function checkAgainstContract(method: string, url: string, status: number, body: unknown, contentType: string | null): void {
  const path = url.split("?")[0];
  const route = routeOf(method, path);
  if (!route || !contentType?.includes("application/json")) return;
  if (status < 300) {
    if (!route.response) return;
    const checked = route.response.safeParse(body);
    if (!checked.success) throw new Error(`${method} ${route.path} answered ${status} with a body its schema does not allow: ${checked.error.message}`);
    return;
  }
  const error = (body as { error?: { code?: string; details?: unknown } }).error;
  const code = error?.code as ErrorCode | undefined;
  if (!code || !(code in ERROR_CODES)) throw new Error(`${method} ${route.path} answered ${status} with an error code no route may answer: ${code}`);
  if (!route.errors.includes(code)) throw new Error(`${method} ${route.path} answered ${status} ${code}, which it does not name among its errors`);
  if (ERROR_CODES[code].status !== status) throw new Error(`${code} came with ${status}, not ${ERROR_CODES[code].status}`);
  const details = ERROR_CODES[code].details.safeParse(error!.details);
  if (!details.success) throw new Error(`${method} ${route.path}: the details of ${code} drifted: ${details.error.message}`);
}

const SOCKET_MESSAGES: Record<string, typeof R.MemberMessage | typeof R.ConsoleMessage> = { "/v1/me/events": R.MemberMessage, "/v1/alerts/live": R.ConsoleMessage };

/** What drifted where the test could not throw (a socket's message listener): the setup fails the test after it. */
export const drifted: string[] = [];

/** A message of a live page's WebSocket, held to the schema `x-websockets` declares for it. */
export function checkSocketMessage(path: string, message: unknown): void {
  const schema = SOCKET_MESSAGES[path.split("?")[0]];
  const checked = schema?.safeParse(message);
  if (!schema) drifted.push(`${path} is no documented WebSocket`);
  else if (!checked?.success) drifted.push(`${path} sent a message its schema does not allow: ${checked?.error?.message}`);
}

/** A webhook delivery's body, held to the schema `webhooks` declares for its event type. */
export function checkWebhookBody(text: string): void {
  const checked = R.Event.safeParse(JSON.parse(text));
  if (!checked.success) throw new Error(`a webhook delivery the schema of its event does not allow: ${checked.error.message}`);
}
