/** The isolate's short memory: fresh for its time, bounded (the oldest goes first), a stored null is a value. */
import { describe, expect, it } from "vitest";
import { ShortCache } from "../src/lib/short-cache";

describe("ShortCache", () => {
  it("answers what is fresh, forgets what is stale, and keeps at most max entries, dropping the oldest", async () => {
    const cache = new ShortCache<string | null>(1_000, 2);
    cache.set("a", "A", 0);
    cache.set("b", null, 0);
    expect([cache.get("a", 999), cache.get("b", 999)]).toEqual(["A", null]);
    expect(cache.get("a", 1_000)).toBeUndefined();
    cache.set("a", "A", 10);
    cache.set("c", "C", 10);
    // b was the oldest: it went when c came.
    expect([cache.get("a", 11), cache.get("b", 11), cache.get("c", 11)]).toEqual(["A", undefined, "C"]);
    let loads = 0;
    const load = async () => `loaded ${++loads}`;
    expect(await cache.through("d", load)).toBe("loaded 1");
    expect(await cache.through("d", load)).toBe("loaded 1");
    cache.deleteWhere((value) => value === "loaded 1");
    expect(await cache.through("d", load)).toBe("loaded 2");
    // A value read while the entry was being forgotten is answered but not kept: the next read loads again.
    cache.delete("d");
    const racing = cache.through("d", load);
    cache.clear();
    expect(await racing).toBe("loaded 3");
    expect(await cache.through("d", load)).toBe("loaded 4");
  });
});
