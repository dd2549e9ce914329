-- When each key was last used (kept to the minute; written when an isolate first verifies the key).
ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;
