/**
 * Test mode, as pure rules: a test tenant's members with the phones API.md names answer approval requests by
 * themselves, so a POS can try every branch of MobiSecure without a phone — `+15005550001` approves after a second,
 * `+15005550002` rejects after a second, `+15005550003` never answers — and `+15005550001`'s SMS codes are 000000.
 * A live tenant's members are never answered for, whatever their phone.
 */
export const TEST_ANSWER_DELAY_MS = 1000;

const ANSWERS: Record<string, "approve" | "reject"> = { "+15005550001": "approve", "+15005550002": "reject" };
const FIXED_CODE_PHONE = "+15005550001";

/** How a member answers by themselves (null: a person answers, or nobody does). */
export function testAnswerOf(livemode: boolean, phone: string | null | undefined): "approve" | "reject" | null {
  return livemode || !phone ? null : (ANSWERS[phone] ?? null);
}

/** The code a test phone always gets (null: a random one, as in live mode). */
export function testCodeOf(livemode: boolean, phone: string | null | undefined): string | null {
  return !livemode && phone === FIXED_CODE_PHONE ? "000000" : null;
}
