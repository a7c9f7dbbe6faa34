-- The registry's record of what else happened with each vendor: contracts and their
-- subcontracts, incidents, damage claims and certificates. Unlike sanctions these are current
-- state (a row is updated as the record moves on): nothing decides eligibility from them,
-- and their full history stays in the event log.
--
-- Every table has an index on (vendor_id, <id>): the API pages each vendor's records in id
-- order, many vendors in one statement, and this lets each vendor's page be read in order.
-- Column names follow the event payloads, so a record is stored as its event says it.

-- Contract ids are issued by the agencies and are unique across vendors. `ends_on` and
-- `amount` are the current ones: each amendment replaces what it changes.
CREATE TABLE registry_contracts (
    contract_id        text PRIMARY KEY,
    vendor_id          text NOT NULL REFERENCES registry_vendors (vendor_id),
    agency             text NOT NULL,
    title              text NOT NULL,
    category           text NOT NULL,
    criticality        text NOT NULL,
    awarded_on         date NOT NULL,
    starts_on          date NOT NULL,
    ends_on            date NOT NULL,
    amount             bigint NOT NULL,      -- in the currency's smallest unit
    currency           text NOT NULL,
    terminated_on      date,                 -- last day in force; NULL while not terminated
    termination_reason text,
    termination_note   text,
    event_id           uuid NOT NULL,        -- the award
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((terminated_on IS NULL) = (termination_reason IS NULL))
);
CREATE INDEX registry_contracts_vendor ON registry_contracts (vendor_id, contract_id);

-- `vendor_id` is the prime contractor, who asks for the subcontract: its records list it.
-- The subcontractor need not be registered (it may never bid itself), so it has no foreign
-- key. A re-subcontract names its parent; the chain is the chain of parents.
CREATE TABLE registry_subcontracts (
    subcontract_id          text PRIMARY KEY,
    vendor_id               text NOT NULL REFERENCES registry_vendors (vendor_id),
    contract_id             text NOT NULL REFERENCES registry_contracts (contract_id),
    subcontractor_vendor_id text NOT NULL,
    parent_subcontract_id   text REFERENCES registry_subcontracts (subcontract_id),
    scope                   text NOT NULL,
    requested_on            date NOT NULL,
    status                  text NOT NULL DEFAULT 'requested'
                            CHECK (status IN ('requested', 'approved', 'rejected')),
    decided_on              date,            -- approved_on or rejected_on
    reason                  text,            -- why it was rejected
    fitness_certificate_ids text[] NOT NULL DEFAULT '{}',  -- what an approval relied on
    event_id                uuid NOT NULL,
    recorded_at             timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'requested') = (decided_on IS NULL))
);
CREATE INDEX registry_subcontracts_vendor ON registry_subcontracts (vendor_id, subcontract_id);

-- Incident ids are the reporting vendor's own: two vendors may use the same one, hence the
-- key. The findings are those of the latest investigation.
CREATE TABLE registry_incidents (
    vendor_id                       text NOT NULL REFERENCES registry_vendors (vendor_id),
    incident_id                     text NOT NULL,
    kind                            text NOT NULL,
    severity                        text NOT NULL,
    occurred_on                     date NOT NULL,
    reported_on                     date NOT NULL,
    contract_id                     text,
    caused_by_vendor_id             text,
    description                     text NOT NULL,
    status                          text NOT NULL DEFAULT 'reported'
                                    CHECK (status IN ('reported', 'investigated', 'closed')),
    investigated_on                 date,
    leak                            text,
    unapproved_subcontracting_found boolean,
    control_failures                text[] NOT NULL DEFAULT '{}',
    summary                         text,
    closed_on                       date,
    resolution                      text,
    event_id                        uuid NOT NULL,
    recorded_at                     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vendor_id, incident_id),
    CHECK ((status = 'closed') = (closed_on IS NOT NULL))
);

-- Claim ids, like incident ids, are per vendor. A settlement is in the claim's currency.
CREATE TABLE registry_claims (
    vendor_id      text NOT NULL REFERENCES registry_vendors (vendor_id),
    claim_id       text NOT NULL,
    filed_on       date NOT NULL,
    amount         bigint NOT NULL,
    currency       text NOT NULL,
    incident_id    text,
    contract_id    text,
    description    text NOT NULL,
    status         text NOT NULL DEFAULT 'filed' CHECK (status IN ('filed', 'settled')),
    settled_on     date,
    settled_amount bigint,
    event_id       uuid NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vendor_id, claim_id),
    CHECK ((status = 'settled') = (settled_on IS NOT NULL))
);

-- Certificate ids are per vendor too.
CREATE TABLE registry_certificates (
    vendor_id      text NOT NULL REFERENCES registry_vendors (vendor_id),
    certificate_id text NOT NULL,
    kind           text NOT NULL,
    contract_id    text NOT NULL,
    subcontract_id text,
    submitted_on   date NOT NULL,
    issued_by      text NOT NULL,
    event_id       uuid NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vendor_id, certificate_id)
);

-- Sanctions are paged the same way; this index serves every lookup the old one did.
DROP INDEX registry_sanctions_vendor;
CREATE INDEX registry_sanctions_vendor ON registry_sanctions (vendor_id, sanction_id);
