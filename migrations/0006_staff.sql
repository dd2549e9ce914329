-- Merchant staff: accounts with roles, their console sessions, invitations, and failed sign-ins (for the lockout).
CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'security')),
  password_hash TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX staff_tenant ON staff(tenant_id);

CREATE TABLE staff_sessions (
  token_hash TEXT PRIMARY KEY,
  id TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id);

-- A link that lets a new member of staff set a password (single use, 7 days).
CREATE TABLE staff_invites (
  token_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);

-- The platform operator's link that lets a business sign up where sign-up is not open (single use, 7 days).
CREATE TABLE tenant_invites (
  token_hash TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);

-- Failed sign-ins per email (its SHA-256), for 5 failures in 15 minutes.
CREATE TABLE sign_in_failures (
  email_hash TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_email ON sign_in_failures(email_hash, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures(at);
