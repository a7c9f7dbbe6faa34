-- A contract amended or terminated looks up the plans still to move it (open_items_of_contract,
-- at every such event): the items' key leads with the plan, so each event read every item of
-- every plan (51 ms at 500,000 items). Done items are most of them and never asked for.
CREATE INDEX migration_items_open_contract ON migration_items (contract_id)
    WHERE status <> 'done';

-- A system owner's plans, by agency (`migrationPlans`, its page and total): the unique key
-- leads with the vendor, so an agency's were found by reading every plan.
CREATE INDEX migration_plans_agency ON migration_plans (agency, plan_id);
