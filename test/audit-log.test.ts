/** The audit log's hash chain: every entry chained in one sequence per tenant, verified, and tampering found. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { answerOf } from "../src/lib/outcome";
import { describe, expect, it } from "vitest";
import { sealAfter, type SealedEntry } from "../src/audit/audit-chain";
import { unsealedEntries, writeSeals } from "../src/db/audit";
import { sha256Hex } from "../src/lib/crypto";
import { tenantObjectOf } from "../src/objects";
import { account, api, asMember, createShop, drainObjectOutbox, drainOutbox, expectError, memberCookie, ORIGIN, staffCookie, type Shop } from "./helpers";

type Entry = { id: string; actor: string; actor_type: string; action: string; seq: number; hash: string; prev_hash: string | null };

async function auditOf(shop: Shop): Promise<Entry[]> {
  const reply = await api("GET", "/v1/audit-log?limit=100", { token: shop.secret });
  expect(reply.status).toBe(200);
  return reply.body.data;
}

const verify = async (shop: Shop) => (await api("GET", "/v1/audit-log/verify", { token: shop.secret })).body;

/** Each entry's prev_hash is the hash of the one before it in the chain, and places run 1, 2, 3 … */
function expectChained(newestFirst: Entry[]) {
  const chain = [...newestFirst].sort((a, b) => a.seq - b.seq);
  expect(chain.map((e) => e.seq)).toEqual(chain.map((_, i) => i + 1));
  expect(chain[0].prev_hash).toBeNull();
  for (let i = 1; i < chain.length; i++) expect(chain[i].prev_hash).toBe(chain[i - 1].hash);
  for (const entry of chain) expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
}

describe("the audit chain", () => {
  it("chains every change of a tenant, names who acted, and verifies", async () => {
    const shop = await createShop();
    const entries = await auditOf(shop);
    expect(entries.map((e) => e.action)).toEqual(["card.issued", "member.created", "register.created", "store.created"]);
    expect(new Set(entries.map((e) => e.actor_type))).toEqual(new Set(["secret_key"]));
    expectChained(entries);
    expect(await verify(shop)).toEqual({ entries: 4, valid: true });
    // Another tenant's chain is its own.
    const other = await createShop();
    expect((await auditOf(other)).map((e) => e.seq).sort()).toEqual([1, 2, 3, 4]);
  });

  it("a member blocking their own card is in the log as the member", async () => {
    const shop = await createShop();
    const cookie = await memberCookie(shop);
    expect((await asMember(cookie, "POST", `/v1/me/cards/${shop.card}/block`)).status).toBe(200);
    const [newest] = await auditOf(shop);
    expect(newest).toMatchObject({ action: "card.blocked", actor: shop.memberId, actor_type: "member" });
    // The shop's four, the sign-in link the member's page was opened with, and the block.
    expect(await verify(shop)).toEqual({ entries: 6, valid: true });
  });

  it("changes made at once do not fork the chain", async () => {
    const shop = await createShop();
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => api("POST", "/v1/stores", { token: shop.secret, body: { name: `Store ${i}` } })));
    expect(replies.map((r) => r.status)).toEqual(Array(12).fill(201));
    // Sealers asked at once (every change asks) still chain each entry once.
    await Promise.all([verify(shop), verify(shop), verify(shop)]);
    const entries = await auditOf(shop);
    expect(entries).toHaveLength(16);
    expectChained(entries);
    expect(await verify(shop)).toEqual({ entries: 16, valid: true });
  });

  it("an entry edited in D1 breaks the chain at that entry; one removed, at the entry after it", async () => {
    const shop = await createShop();
    const chain = (await auditOf(shop)).sort((a, b) => a.seq - b.seq);
    await env.DB.prepare("UPDATE audit_log SET after = ? WHERE id = ?").bind(JSON.stringify({ name: "Someone else" }), chain[1].id).run();
    expect(await verify(shop)).toEqual({ entries: 4, valid: false, first_broken: chain[1].id });

    const second = await createShop();
    const secondChain = (await auditOf(second)).sort((a, b) => a.seq - b.seq);
    await env.DB.prepare("DELETE FROM audit_log WHERE id = ?").bind(secondChain[2].id).run();
    // The sealer remembers which entry had that place: the one removed is named.
    expect(await verify(second)).toEqual({ entries: 3, valid: false, first_broken: secondChain[2].id });

    // The newest entries cut from the end: the sealer remembers where the chain ended.
    const cut = await createShop();
    const cutChain = (await auditOf(cut)).sort((a, b) => a.seq - b.seq);
    await env.DB.prepare("DELETE FROM audit_log WHERE id = ?").bind(cutChain[3].id).run();
    expect(await verify(cut)).toEqual({ entries: 3, valid: false, first_broken: cutChain[3].id });

    // Rewriting an entry's own hash to match does not help: the next entry still points at the old one.
    const third = await createShop();
    const thirdChain = (await auditOf(third)).sort((a, b) => a.seq - b.seq);
    await env.DB.prepare("UPDATE audit_log SET actor = 'someone', hash = ? WHERE id = ?").bind("0".repeat(64), thirdChain[0].id).run();
    expect((await verify(third)).first_broken).toBe(thirdChain[0].id);
  });

  it("two sealers racing (as if a second instance ran) cannot fork it: one batch wins, the other changes nothing", async () => {
    const shop = await createShop();
    await verify(shop);
    const head = (await auditOf(shop)).find((e) => e.seq === 4)!;
    const insert = env.DB.prepare("INSERT INTO audit_log (id, tenant_id, actor, actor_type, action, subject_id, created_at) VALUES (?, ?, 'k', 'secret_key', 'store.changed', 's', ?)");
    await env.DB.batch(Array.from({ length: 6 }, (_, i) => insert.bind(`aud_race${i}_${Date.now()}`, shop.tenantId, new Date(Date.now() + i).toISOString())));
    // Two chainings of the same waiting entries after the same head, one of them in another order.
    const rules = { keyedFrom: 1, keyed: sha256Hex, accepted: new Map() };
    const waiting = await unsealedEntries(env.DB, shop.tenantId, 100);
    expect(waiting).toHaveLength(6);
    const [one, other] = await Promise.all([sealAfter(head, waiting, rules), sealAfter(head, [...waiting].reverse(), rules)]);
    const results = await Promise.allSettled([writeSeals(env.DB, one), writeSeals(env.DB, other)]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const won: SealedEntry[] = results[0].status === "fulfilled" ? one : other;
    const chained = (await env.DB.prepare("SELECT seq, id, hash FROM audit_log WHERE tenant_id = ? AND seq > 4 ORDER BY seq").bind(shop.tenantId).all<Entry>()).results;
    expect(chained.map((e) => [e.seq, e.id, e.hash])).toEqual(won.map((e) => [e.seq, e.id, e.hash]));
  });

  describe("tampering underneath the Worker, in D1 itself", () => {
    const chainOf = async (shop: Shop) => (await auditOf(shop)).sort((a, b) => a.seq - b.seq);
    const newStore = async (shop: Shop, name: string) => expect((await api("POST", "/v1/stores", { token: shop.secret, body: { name } })).status).toBe(201);
    async function chainAlerts(shop: Shop) {
      await drainObjectOutbox(tenantObjectOf(env, shop.tenantId));
      return (await api("GET", "/v1/alerts", { token: shop.secret })).body.data.filter((a: { type: string }) => a.type === "audit.chain_broken");
    }

    it("the newest two cut: verification stays failing whatever is written later, until an owner accepts it with a note", async () => {
      const shop = await createShop();
      for (const name of ["North", "South", "East"]) await newStore(shop, name);
      const chain = await chainOf(shop);
      expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(await verify(shop)).toEqual({ entries: 7, valid: true });
      await env.DB.prepare("DELETE FROM audit_log WHERE tenant_id = ? AND seq >= 6").bind(shop.tenantId).run();
      expect(await verify(shop)).toEqual({ entries: 5, valid: false, first_broken: chain[5].id });

      // A change afterwards is logged but not chained after a head the sealer did not write: no place is reused.
      await newStore(shop, "West");
      expect(await verify(shop)).toEqual({ entries: 6, valid: false, first_broken: chain[5].id });
      const west = (await auditOf(shop))[0];
      expect([west.action, west.seq]).toEqual(["store.created", null]);
      const [alert, ...more] = await chainAlerts(shop);
      expect(more).toEqual([]);
      expect(alert).toMatchObject({ scope: "tenant", scope_id: shop.tenantId, metric: "audit_entries", period: "lifetime", bound: 7, value: 5, status: "open" });

      // Only an owner, and only with a note, accepts the log as it stands.
      const manager = await staffCookie(shop, "manager");
      const asStaff = (cookie: string, body?: unknown) => api("POST", `/v1/alerts/${alert.id}/acknowledge`, { body, headers: { cookie, origin: ORIGIN } });
      expectError(await asStaff(manager, { note: "looked" }), 403, "forbidden");
      const owner = await staffCookie(shop, "owner");
      const noNote = await asStaff(owner);
      expectError(noNote, 400, "invalid_request");
      expect(noNote.body.error.details).toEqual({ field: "note" });
      expect(await verify(shop)).toMatchObject({ valid: false });
      const accepted = await asStaff(owner, { note: "Restored from a backup; two store changes lost" });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ status: "acknowledged", note: "Restored from a backup; two store changes lost" });

      // The chain goes on after a gap: the cut places 6 and 7 are never used again.
      expect(await verify(shop)).toEqual({ entries: 7, valid: true });
      const after = await chainOf(shop);
      expect(after.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 8, 9]);
      expect(after.slice(-2).map((e) => e.action)).toEqual(["store.created", "alert.acknowledged"]);
      await newStore(shop, "Harbour");
      expect(await verify(shop)).toEqual({ entries: 8, valid: true });
      // Accepting again changes nothing.
      expect((await asStaff(owner, { note: "again" })).status).toBe(200);
      expect(await verify(shop)).toEqual({ entries: 8, valid: true });
    });

    /** Cuts the newest entry, finds the break, and answers the alert it raised. */
    async function cutNewest(shop: Shop) {
      await env.DB.prepare("DELETE FROM audit_log WHERE tenant_id = ? AND seq = (SELECT MAX(seq) FROM audit_log WHERE tenant_id = ?)").bind(shop.tenantId, shop.tenantId).run();
      expect(await verify(shop)).toMatchObject({ valid: false });
      const alerts = await chainAlerts(shop);
      return alerts.find((a: { status: string }) => a.status === "open");
    }
    const accept = (shop: Shop, alertId: string, step = "acknowledge") => api("POST", `/v1/alerts/${alertId}/${step}`, { token: shop.secret, body: { note: "seen" } });

    it("an entry accepted as it stood, edited afterwards, breaks the chain again", async () => {
      const shop = await createShop();
      const chain = await chainOf(shop);
      await env.DB.prepare("UPDATE audit_log SET actor = 'someone' WHERE id = ?").bind(chain[1].id).run();
      expect(await verify(shop)).toMatchObject({ valid: false, first_broken: chain[1].id });
      const [alert] = await chainAlerts(shop);
      expect((await accept(shop, alert.id)).status).toBe(200);
      expect(await verify(shop)).toMatchObject({ valid: true });
      await env.DB.prepare("UPDATE audit_log SET actor = 'someone else' WHERE id = ?").bind(chain[1].id).run();
      expect(await verify(shop)).toMatchObject({ valid: false, first_broken: chain[1].id });
    });

    it("an older chain_broken alert resolved late accepts nothing of a newer break", async () => {
      const shop = await createShop();
      await newStore(shop, "North");
      const first = await cutNewest(shop);
      expect((await accept(shop, first.id)).status).toBe(200);
      expect(await verify(shop)).toMatchObject({ valid: true });
      await newStore(shop, "South");
      const second = await cutNewest(shop);
      expect(second.id).not.toBe(first.id);
      // Resolving the first alert now moves that alert only: the second break stands.
      expect((await accept(shop, first.id, "resolve")).status).toBe(200);
      expect(await verify(shop)).toMatchObject({ valid: false });
      expect((await accept(shop, second.id)).status).toBe(200);
      expect(await verify(shop)).toMatchObject({ valid: true });
    });

    it("the whole log deleted and accepted: the chain starts again after the places it had, never reusing one", async () => {
      const shop = await createShop();
      expect(await verify(shop)).toEqual({ entries: 4, valid: true });
      await env.DB.prepare("DELETE FROM audit_log WHERE tenant_id = ?").bind(shop.tenantId).run();
      expect(await verify(shop)).toMatchObject({ valid: false });
      const [alert] = await chainAlerts(shop);
      expect((await accept(shop, alert.id)).status).toBe(200);
      await newStore(shop, "Harbour");
      expect(await verify(shop)).toEqual({ entries: 2, valid: true });
      expect((await chainOf(shop)).map((e) => e.seq)).toEqual([5, 6]);
    });

    it("a chain sealed before the key, whose sealer's head fell behind D1 (a crash between the two), is taken as it is", async () => {
      const shop = await createShop();
      const chain = await chainOf(shop);
      // As the sealer before the key left it: plain SHA-256 hashes, and its own head two entries behind D1.
      let prev: string | null = null;
      for (const entry of chain) {
        const row = (await env.DB.prepare("SELECT * FROM audit_log WHERE id = ?").bind(entry.id).first<Record<string, string>>())!;
        const hash = await sha256Hex(JSON.stringify([entry.seq, prev, row.id, row.tenant_id, row.actor, row.actor_type, row.action, row.subject_id, row.before, row.after, row.created_at]));
        await env.DB.prepare("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?").bind(prev, hash, entry.id).run();
        prev = hash;
      }
      const behind = (await env.DB.prepare("SELECT seq, hash, id FROM audit_log WHERE id = ?").bind(chain[1].id).first())!;
      await runInDurableObject(tenantObjectOf(env, shop.tenantId), (_, state) => {
        state.storage.sql.exec("DELETE FROM meta WHERE key IN ('audit_keyed_from', 'audit_pending', 'audit_broken')");
        state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'audit_head'", JSON.stringify(behind));
      });
      await newStore(shop, "North");
      expect(await verify(shop)).toEqual({ entries: 5, valid: true });
      expect(await chainAlerts(shop)).toEqual([]);
      // The entry sealed since is keyed: without the key it cannot be recomputed.
      const newest = (await chainOf(shop)).at(-1)!;
      const row = (await env.DB.prepare("SELECT * FROM audit_log WHERE id = ?").bind(newest.id).first<Record<string, string>>())!;
      expect(newest.hash).not.toBe(await sha256Hex(JSON.stringify([5, prev, row.id, row.tenant_id, row.actor, row.actor_type, row.action, row.subject_id, row.before, row.after, row.created_at])));
    });

    it("an entry edited and every hash after it recomputed (without the key): the entry edited is named, and stays named", async () => {
      const shop = await createShop();
      for (const name of ["North", "South", "East", "West"]) await newStore(shop, name);
      const chain = await chainOf(shop);
      expect(await verify(shop)).toEqual({ entries: 8, valid: true });
      // What someone holding only the database can do: rewrite entry 4 and re-chain 4..8 with plain SHA-256.
      let prev = chain[2].hash;
      for (const entry of chain.slice(3)) {
        const row = (await env.DB.prepare("SELECT * FROM audit_log WHERE id = ?").bind(entry.id).first<Record<string, string>>())!;
        const after = entry.seq === 4 ? JSON.stringify({ name: "Forged" }) : row.after;
        const hash = await sha256Hex(JSON.stringify([entry.seq, prev, row.id, row.tenant_id, row.actor, row.actor_type, row.action, row.subject_id, row.before, after, row.created_at]));
        await env.DB.prepare("UPDATE audit_log SET after = ?, prev_hash = ?, hash = ? WHERE id = ?").bind(after, prev, hash, entry.id).run();
        prev = hash;
      }
      expect(await verify(shop)).toEqual({ entries: 8, valid: false, first_broken: chain[3].id });
      await newStore(shop, "Harbour");
      expect(await verify(shop)).toEqual({ entries: 9, valid: false, first_broken: chain[3].id });
      expect(await chainAlerts(shop)).toHaveLength(1);
    });
  });

  it("a terminal key may not read the audit log", async () => {
    const shop = await createShop();
    expectError(await api("GET", "/v1/audit-log/verify", { token: shop.terminal }), 403, "forbidden");
  });
});

describe("card changes the account decides", () => {
  it("are audited by the account itself: an answer lost before the Worker wrote its entry still reaches the log, once", async () => {
    const shop = await createShop();
    const who = { tenant_id: shop.tenantId, actor: "sk_lost", actor_type: "secret_key" as const };
    const ref = { tenant_id: shop.tenantId, member_id: shop.memberId };
    // The object decides; the Worker that asked never writes (as if it died with the answer).
    const decided = answerOf(await account(shop).blockCard(ref, shop.card, "lost", who), 200);
    expect(decided.audit).toMatchObject({ action: "card.blocked", actor: "sk_lost", subject_id: shop.card });
    expect((await auditOf(shop)).map((e) => e.action)).not.toContain("card.blocked");
    await drainOutbox(shop);
    const blocked = (await auditOf(shop)).filter((e) => e.action === "card.blocked");
    expect(blocked).toMatchObject([{ id: decided.audit!.id, actor: "sk_lost", actor_type: "secret_key", after: { number: shop.card, status: "blocked", block_reason: "lost" } }]);

    // Through the API: written at once by the route and shipped again from the outbox, still one entry each.
    expect((await api("POST", `/v1/cards/${shop.card}/unblock`, { token: shop.secret })).status).toBe(200);
    expect((await auditOf(shop)).filter((e) => e.action === "card.unblocked")).toHaveLength(1);
    await drainOutbox(shop);
    expect((await auditOf(shop)).filter((e) => e.action === "card.unblocked")).toHaveLength(1);
    expect(await verify(shop)).toEqual({ entries: 6, valid: true });
  });

  it("a card blocked again, or unblocked while active, changes nothing and logs nothing", async () => {
    const shop = await createShop();
    for (let i = 0; i < 2; i++) expect((await api("POST", `/v1/cards/${shop.card}/block`, { token: shop.secret, body: { reason: "lost" } })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await api("POST", `/v1/cards/${shop.card}/unblock`, { token: shop.secret })).status).toBe(200);
    expect((await api("POST", `/v1/cards/${shop.card}/unblock`, { token: shop.secret })).status).toBe(200);
    await drainOutbox(shop);
    expect((await auditOf(shop)).map((e) => e.action).slice(0, 3)).toEqual(["card.unblocked", "card.blocked", "card.issued"]);
  });
});

describe("changes made by hand at the till", () => {
  it("a manual accrual or deduction confirmed is audited once, with the terminal key as actor, even if confirmed again", async () => {
    const shop = await createShop();
    const created = await api("POST", "/v1/operations", {
      token: shop.terminal,
      headers: { "idempotency-key": `manual-${Date.now()}` },
      body: { type: "manual_accrual", card: shop.card, method: "points", amount: 250, reason: "birthday bonus" },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await api("POST", `/v1/operations/${created.body.id}/confirm`, { token: shop.terminal })).status).toBe(200);
    const entries = (await auditOf(shop)).filter((e) => e.action === "balance.manual_accrual");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor_type: "terminal_key", subject_id: created.body.id, after: { card: shop.card, method: "points", amount: 250, reason: "birthday bonus" } });
    expect(await verify(shop)).toMatchObject({ valid: true });
  });
});
