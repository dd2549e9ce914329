/** zod pieces shared by several request schemas. */
import { z } from "zod";
import { METHODS } from "../accounts/operation";

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** An amount in minor units (or whole points): an integer from 1 to 2^53−1; floats, strings and negatives fail. */
export const amount = z.number().int("must be an integer in minor units").min(1, "must be at least 1").max(MAX_SAFE);
export const nonNegativeAmount = z.number().int("must be an integer in minor units").min(0, "must not be negative").max(MAX_SAFE);

export const method = z.enum(METHODS);
export const cardNumber = z.string().regex(/^[0-9A-Za-z]{4,32}$/, "must be 4–32 letters or digits");
export const phone = z.string().regex(/^\+[1-9][0-9]{6,14}$/, "must be an E.164 phone number such as +61412345678");
/**
 * A web origin as a browser sends it: `https://host[:port]`, nothing after it (http only for localhost, for a till
 * in development). Written as the URL parser writes it (lower case, no default port).
 */
export const webOrigin = z
  .string()
  .max(200)
  .refine((text) => {
    try {
      const url = new URL(text);
      const local = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
      return url.origin === text && (url.protocol === "https:" || (url.protocol === "http:" && local));
    } catch {
      return false;
    }
  }, "must be a web origin such as https://pos.example.com (no path; http only for localhost)");

export const name = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});
