/** Which staff passwords are refused, and why (the rule is pure; sign-up and invites call it). */
import { describe, expect, it } from "vitest";
import { checkPassword, hashPassword, weakPassword } from "../src/auth/passwords";

describe("weak passwords", () => {
  it("refuses short, email-like, common, repeated and sequential ones with the merchant's words", () => {
    const email = "maria.rossi@cafe.example";
    expect(weakPassword("short", email)).toBe("Use at least 12 characters");
    expect(weakPassword("x".repeat(257), email)).toBe("Use at most 256 characters");
    expect(weakPassword("Maria.Rossi@cafe.example", email)).toBe("The password may not be your email");
    for (const common of ["Password1234", "P@ssw0rd1234", "qwertyqwerty", "aaaaaaaaaaaa", "abcabcabcabc", "123456789012", "abcdefghijklm", "987654321098"]) {
      expect(weakPassword(common, email), common).toBe("This password is too common; pick another");
    }
    for (const fine of ["correct horse battery staple", "a long enough sentence", "kiwi-lemon-42-harbour"]) expect(weakPassword(fine, email), fine).toBeNull();
  });

  it("a hash checks only its own password, under its own server secret", async () => {
    const hash = await hashPassword("correct horse battery staple", "secret-a");
    expect(hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/);
    expect(await checkPassword("correct horse battery staple", hash, "secret-a")).toBe(true);
    expect(await checkPassword("correct horse battery stapler", hash, "secret-a")).toBe(false);
    expect(await checkPassword("correct horse battery staple", hash, "secret-b")).toBe(false);
  });
});
