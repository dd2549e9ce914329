-- Browser tills: the web origins whose pages may call the terminal routes (CORS), per tenant; empty by default.
-- `tenant_origins` is the same list by origin, so a preflight (which carries no credential) finds it by index.
ALTER TABLE tenants ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '[]';
CREATE TABLE tenant_origins (
  origin TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  PRIMARY KEY (origin, tenant_id)
) WITHOUT ROWID;
