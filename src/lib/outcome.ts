/** A decided answer, ready to be sent as JSON: the same value whether it came from a route, D1 or a Durable Object. */
export interface Outcome {
  status: number;
  body: object;
  headers?: Record<string, string>;
}
