/**
 * The typed client of clients/typescript runs the README's tour against this server (through the Worker's own
 * fetch): compiled with the rest (no casts in it), every answer held to the contract like any other.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { tour } from "../clients/typescript/examples/tour";
import { checkAgainstContract } from "./contract";
import { PLATFORM } from "./helpers";
import EXPECTED from "./client-tour.expected.json";

/** The Worker as the client's fetch; each answer checked against its route's schema on the way. */
async function workerFetch(request: Request): Promise<Response> {
  const response = await exports.default.fetch(request);
  const text = await response.clone().text();
  checkAgainstContract(request.method, new URL(request.url).pathname, response.status, text ? JSON.parse(text) : null, response.headers.get("content-type"));
  return response;
}

describe("the TypeScript client", () => {
  it("runs the five-minute tour: 150.00 bought, 47.00 paid, 47 points, the history newest first", async () => {
    const result = await tour("https://tillsafe.test", PLATFORM, workerFetch);
    // The figures the README's tour ends on (test/e2e/client.e2e.mjs expects the same when node runs it).
    expect(result).toEqual(EXPECTED);
  });
});
