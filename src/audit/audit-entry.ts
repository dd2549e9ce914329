/**
 * An audit entry as it is first written, before its tenant's sealer chains it: who acted (as their credential
 * says), what they did to what, and the record before and after. Pure: the routes write entries for changes D1
 * holds, and an AccountDO writes those it decides (a card blocked, a manual accrual) into its own outbox.
 */
import type { AuditEntry } from "./audit-chain";

/** Who acted, as the credential says: a key, a member of staff (a console session), or a member. */
export type Actor =
  | { kind: "secret"; tenantId: string; credentialId: string; staff?: { id: string } }
  | { kind: "terminal"; tenantId: string; credentialId: string }
  | { kind: "member"; tenantId: string; memberId: string }
  | { kind: "staff"; tenantId: string; staffId: string };

export type ActorType = "staff" | "secret_key" | "terminal_key" | "member" | "platform";

/** The actor as stored: plain data, so it can travel to a Durable Object and back. */
export interface Who {
  tenant_id: string;
  actor: string;
  actor_type: ActorType;
}

export function whoActed(actor: Actor): Who {
  switch (actor.kind) {
    case "secret":
      return actor.staff ? { tenant_id: actor.tenantId, actor: actor.staff.id, actor_type: "staff" } : { tenant_id: actor.tenantId, actor: actor.credentialId, actor_type: "secret_key" };
    case "terminal":
      return { tenant_id: actor.tenantId, actor: actor.credentialId, actor_type: "terminal_key" };
    case "member":
      return { tenant_id: actor.tenantId, actor: actor.memberId, actor_type: "member" };
    case "staff":
      return { tenant_id: actor.tenantId, actor: actor.staffId, actor_type: "staff" };
  }
}

export interface Change {
  before?: unknown;
  after?: unknown;
}

/** One entry, not chained yet. `before` and `after` are kept as the JSON text the chain hashes. */
export function auditEntry(who: Who, id: string, action: string, subjectId: string, change: Change, at: string): AuditEntry {
  return {
    id,
    tenant_id: who.tenant_id,
    actor: who.actor,
    actor_type: who.actor_type,
    action,
    subject_id: subjectId,
    before: change.before === undefined ? null : JSON.stringify(change.before),
    after: change.after === undefined ? null : JSON.stringify(change.after),
    created_at: at,
  };
}
