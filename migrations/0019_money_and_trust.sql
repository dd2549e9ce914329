-- Money and trust: sign-in codes get an hourly SMS budget of their own (a stranger asking for codes can no longer
-- use up the till's), and a tenant chooses what a refund does when the points its purchase earned are spent.
ALTER TABLE tenants ADD COLUMN sms_signin_per_hour INTEGER NOT NULL DEFAULT 200;
ALTER TABLE tenants ADD COLUMN refund_when_points_spent TEXT NOT NULL DEFAULT 'reduce';
-- A member's session remembers how it was opened: by the member signing in ('member'), or from a link the back office
-- asked for ('link'), so an approval given in it says so.
ALTER TABLE member_sessions ADD COLUMN via TEXT NOT NULL DEFAULT 'member';
-- An Idempotency-Key's claim is a lease: a request that died holding it (a crash, a deploy) lets a retry take the key
-- over once the lease has lapsed, instead of answering "in progress" until the record expires.
ALTER TABLE idempotency_records ADD COLUMN lease_until TEXT;
