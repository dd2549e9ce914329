-- Alerts are worked on: open, then acknowledged by someone, then resolved with a note.
ALTER TABLE alerts ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE alerts ADD COLUMN acknowledged_at TEXT;
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;
ALTER TABLE alerts ADD COLUMN resolved_at TEXT;
ALTER TABLE alerts ADD COLUMN resolved_by TEXT;
ALTER TABLE alerts ADD COLUMN note TEXT;
CREATE INDEX alerts_status ON alerts(tenant_id, status, created_at);
