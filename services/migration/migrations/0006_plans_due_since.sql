-- Since when each plan has waited to be scheduled (its inputs changed after its last
-- version): the planner takes the smallest plans first, so a large plan could wait for as
-- long as small ones kept coming; one that has waited a minute goes ahead of them
-- (planner_queue.py). Plans due at the upgrade wait from then.
ALTER TABLE migration_plans ADD COLUMN due_since timestamptz NOT NULL DEFAULT now();
