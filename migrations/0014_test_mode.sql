-- Test mode: a tenant is live (1) or test (0). A test tenant sends no real SMS, and members with the test phones of
-- API.md answer approval requests by themselves.
ALTER TABLE tenants ADD COLUMN livemode INTEGER NOT NULL DEFAULT 1;
