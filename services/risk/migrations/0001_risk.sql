-- The risk service's own record: the events that bear on each vendor's risk, in log order.
-- Scores are always computed from these (with the scoring model), so replaying the log
-- rebuilds exactly the same scores and history.
CREATE TABLE risk_events (
    seq      bigserial PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE,
    envelope text NOT NULL
);

-- Which vendors' risk an event bears on: the vendor it is about, and e.g. the subcontractor
-- that caused an incident on another vendor's contract.
CREATE TABLE risk_event_subjects (
    vendor_id text NOT NULL,
    seq       bigint NOT NULL REFERENCES risk_events (seq),
    PRIMARY KEY (vendor_id, seq)
);

-- Who an incident concerns, so its investigation and closing reach the same vendors. An
-- incident id is the reporting vendor's: two vendors' records may reuse one.
CREATE TABLE risk_incident_subjects (
    record_vendor_id text NOT NULL,
    incident_id      text NOT NULL,
    vendor_id        text NOT NULL,
    PRIMARY KEY (record_vendor_id, incident_id, vendor_id)
);

-- Every contract, for the concentration factor (a vendor's share of an agency's critical
-- contracts).
CREATE TABLE risk_contracts (
    contract_id text PRIMARY KEY,
    vendor_id   text NOT NULL,
    agency      text NOT NULL,
    critical    boolean NOT NULL,
    starts_on   date NOT NULL,
    ends_on     date NOT NULL
);
CREATE INDEX risk_contracts_agency ON risk_contracts (agency);

-- A vendor's score after each event that bore on it, as of that event's date.
CREATE TABLE risk_history (
    vendor_id     text NOT NULL,
    seq           bigint NOT NULL REFERENCES risk_events (seq),
    as_of         date NOT NULL,
    score         double precision NOT NULL,
    band          text NOT NULL,
    model_version text NOT NULL,
    factors       jsonb NOT NULL,
    PRIMARY KEY (vendor_id, seq)
);

-- Each vendor's score as of the latest evaluation (events, and daily for decay): what
-- riskiestVendors ranks.
CREATE TABLE risk_current (
    vendor_id     text PRIMARY KEY,
    score         double precision NOT NULL,
    band          text NOT NULL,
    model_version text NOT NULL,
    factors       jsonb NOT NULL,
    as_of         date NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX risk_current_score ON risk_current (score DESC);

-- The score last announced (risk.changed) per vendor: moves are measured from it, so many
-- small moves add up to an announcement instead of drifting by unannounced.
CREATE TABLE risk_announced (
    vendor_id     text PRIMARY KEY,
    score         double precision NOT NULL,
    band          text NOT NULL,
    model_version text NOT NULL,
    factors       jsonb NOT NULL
);

CREATE TABLE risk_outbox (
    id         bigserial PRIMARY KEY,
    event      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
