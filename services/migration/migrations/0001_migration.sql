-- The migration service's own record. It learns contracts and eligibility from events (it
-- does not read the registry's tables), and keeps plans, their items and every version of
-- their schedule.

-- Contracts as the contract events tell them: which ones a plan must move.
CREATE TABLE migration_contracts (
    contract_id   text PRIMARY KEY,
    vendor_id     text NOT NULL,
    agency        text NOT NULL,
    title         text NOT NULL,
    criticality   text NOT NULL,
    ends_on       date NOT NULL,
    terminated_on date
);
CREATE INDEX migration_contracts_vendor ON migration_contracts (vendor_id, agency);

-- Subcontracts the agency approved: a suspended subcontractor's work must move too.
CREATE TABLE migration_subcontracts (
    contract_id             text NOT NULL,
    subcontract_id          text NOT NULL,
    subcontractor_vendor_id text NOT NULL,
    approved                boolean NOT NULL DEFAULT false,
    PRIMARY KEY (contract_id, subcontract_id)
);
CREATE INDEX migration_subcontracts_vendor ON migration_subcontracts (subcontractor_vendor_id);

-- Each vendor's latest eligibility, as vendor.eligibility_changed announced it.
CREATE TABLE migration_eligibility (
    vendor_id         text PRIMARY KEY,
    eligible          boolean NOT NULL,
    as_of             date NOT NULL,
    eligible_again_on date,
    reasons           jsonb NOT NULL
);

-- `revision` counts the changes to a plan's inputs; the planner schedules a plan whenever
-- its `planned_revision` is behind, and `causes` say why (for the version's diff).
CREATE TABLE migration_plans (
    plan_id          text PRIMARY KEY,
    vendor_id        text NOT NULL,
    agency           text NOT NULL,
    trigger          text NOT NULL,
    reason           text NOT NULL,
    created_on       date NOT NULL,
    settings         jsonb NOT NULL,
    vendor_eligible  boolean NOT NULL DEFAULT false,
    revision         integer NOT NULL DEFAULT 1,
    planned_revision integer NOT NULL DEFAULT 0,
    causes           text[] NOT NULL DEFAULT '{}',
    UNIQUE (vendor_id, agency)
);
CREATE INDEX migration_plans_due ON migration_plans (plan_id) WHERE planned_revision < revision;

CREATE TABLE migration_items (
    plan_id                text NOT NULL REFERENCES migration_plans (plan_id),
    contract_id            text NOT NULL,
    title                  text NOT NULL,
    criticality            text NOT NULL,
    ends_on                date NOT NULL,
    via_subcontract_id     text,
    depends_on             text[] NOT NULL DEFAULT '{}',
    lead_time_months       integer NOT NULL DEFAULT 0,
    earliest_on            date,
    deadline_on            date,
    replacement_vendor_id  text,
    replacement_chosen_on  date,
    checks                 text[] NOT NULL DEFAULT '{}',
    status                 text NOT NULL DEFAULT 'planned',
    status_on              date,
    status_note            text,
    PRIMARY KEY (plan_id, contract_id)
);
CREATE INDEX migration_items_replacement ON migration_items (replacement_vendor_id);

-- Every schedule the planner produced: the snapshot people read, and what changed since the
-- version before.
CREATE TABLE migration_plan_versions (
    plan_id       text NOT NULL REFERENCES migration_plans (plan_id),
    version       integer NOT NULL,
    revision      integer NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    causes        text[] NOT NULL,
    solver_status text NOT NULL,
    snapshot      jsonb NOT NULL,
    changes       text[] NOT NULL,
    PRIMARY KEY (plan_id, version)
);

CREATE TABLE migration_outbox (
    id         bigserial PRIMARY KEY,
    event      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
