-- Development only: the SMS outbox that stands in for a provider (GET /v1/dev/sms).
CREATE TABLE dev_sms (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  tenant_id TEXT NOT NULL,
  "to" TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX dev_sms_to ON dev_sms("to", created_at);
