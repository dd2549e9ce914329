/** Who is calling, as established from the credential alone. */
export type Principal =
  | { kind: "platform" }
  | { kind: "secret"; tenantId: string; credentialId: string }
  | { kind: "terminal"; tenantId: string; credentialId: string; storeId: string; registerId: string }
  | { kind: "member"; tenantId: string; memberId: string; sessionId: string; viaCookie: boolean };

export type Role = Principal["kind"];
