/**
 * The typed client of clients/typescript runs the README's tour against this server (through the Worker's own
 * fetch): compiled with the rest (no casts in it), every answer held to the contract like any other.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { tour } from "../clients/typescript/examples/tour";
import { checkAgainstContract } from "./contract";
import { PLATFORM } from "./helpers";

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
    expect(result).toEqual({
      credit: { balance: 10300, available: 10300 },
      points: 47,
      history: [
        ["payment", "credit", -4700, 10300],
        ["accrual", "points", 47, 47],
        ["top_up", "credit", 15000, 15000],
      ],
    });
  });
});
