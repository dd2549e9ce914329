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
export const name = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});
