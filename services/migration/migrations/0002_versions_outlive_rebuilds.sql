-- A plan's versions are the planner's decisions (solved at a moment, within a time limit),
-- not a projection of the log: a rebuild replays plans and items from the log but keeps the
-- versions as they were decided (services/migration/rebuild.py). They refer to their plan by
-- id, without a foreign key, so that plans can be emptied and replayed beside them.
ALTER TABLE migration_plan_versions DROP CONSTRAINT migration_plan_versions_plan_id_fkey;
