import type { SessionVia } from "./member-sessions";
/** Who is calling, as established from the credential alone. */
export type Principal =
  | { kind: "platform" }
  | {
      kind: "secret";
      tenantId: string;
      /** The secret key's id, or the member of staff's id when a console session is the credential. */
      credentialId: string;
      /** A console session: who, in which role (the back office within that role, see staff-roles.ts). */
      staff?: { id: string; role: StaffRole; sessionId: string };
    }
  | { kind: "terminal"; tenantId: string; credentialId: string; storeId: string; registerId: string }
  | { kind: "member"; tenantId: string; memberId: string; sessionId: string; viaCookie: boolean; via: SessionVia };

export type Role = Principal["kind"];

export const STAFF_ROLES = ["owner", "manager", "security"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
