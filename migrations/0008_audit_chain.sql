-- The audit log becomes a hash chain per tenant: who acted (actor_type beside actor), and each entry's place in its
-- tenant's chain (seq), the hash of the entry before it (prev_hash) and its own hash, SHA-256 over the entry and
-- prev_hash. Entries are written with their change; the tenant's one sealer (TenantDO) gives them seq and hashes.
ALTER TABLE audit_log ADD COLUMN actor_type TEXT NOT NULL DEFAULT 'secret_key';
ALTER TABLE audit_log ADD COLUMN seq INTEGER;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

UPDATE audit_log SET actor_type = 'staff' WHERE actor LIKE 'stf\_%' ESCAPE '\';
UPDATE audit_log SET actor_type = 'terminal_key' WHERE actor IN (SELECT id FROM api_keys WHERE kind = 'terminal');
UPDATE audit_log SET actor_type = 'member' WHERE actor LIKE 'mem\_%' ESCAPE '\';

-- One entry per place in a tenant's chain: two sealers could never fork it.
CREATE UNIQUE INDEX audit_log_chain ON audit_log(tenant_id, seq);
CREATE INDEX audit_log_unsealed ON audit_log(tenant_id, created_at, id) WHERE seq IS NULL;
