-- A plan its owner withdrew (migration.plan_withdrawn): when the log recorded the withdrawal,
-- and why. A withdrawn plan is history: the planner no longer schedules it, later events of
-- its vendor change it no more, and a bar at its agency after it opens a new plan, so one
-- vendor holds at most one plan not withdrawn per agency (the unique key it replaces held
-- one plan in all). No plan is withdrawn at the upgrade: the event type is new.
ALTER TABLE migration_plans
    ADD COLUMN withdrawn_at timestamptz,
    ADD COLUMN withdrawal_reason text,
    DROP CONSTRAINT migration_plans_vendor_id_agency_key;
CREATE UNIQUE INDEX migration_plans_open_at ON migration_plans (vendor_id, agency)
    WHERE withdrawn_at IS NULL;
