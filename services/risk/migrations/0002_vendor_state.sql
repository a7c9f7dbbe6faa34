-- Incremental risk: each event updates the vendor's kept state instead of every score being
-- folded again from all of the vendor's events (services/risk/fold.py says what is kept).

-- Each vendor's state (services.risk.facts.VendorState as JSON): every event so far applied,
-- whatever its dates. It cannot be derived here from the stored events: after this
-- migration on a database that already has risk events, run `vendorwatch risk rebuild`.
CREATE TABLE risk_vendor_states (
    vendor_id text PRIMARY KEY,
    state     jsonb NOT NULL
);

-- The item of the vendor's record an event is about ("incident:<id>", "contract:<id>", …):
-- an item is folded again from its own events when a day before one of them counts is asked.
ALTER TABLE risk_event_subjects ADD COLUMN item text;
UPDATE risk_event_subjects s
SET item = CASE split_part(p.event_type, '.', 1)
        WHEN 'incident' THEN 'incident:' || (p.payload ->> 'incident_id')
        WHEN 'sanction' THEN 'sanction:' || (p.payload ->> 'sanction_id')
        WHEN 'claim' THEN 'claim:' || (p.payload ->> 'claim_id')
        WHEN 'certificate' THEN 'certificate:' || (p.payload ->> 'certificate_id')
        ELSE CASE WHEN p.event_type LIKE 'contract.subcontract_%'
                  THEN 'subcontract:' || (p.payload ->> 'subcontract_id')
                  ELSE 'contract:' || (p.payload ->> 'contract_id') END
    END
FROM (SELECT seq, envelope::jsonb ->> 'event_type' AS event_type,
             envelope::jsonb -> 'payload' AS payload
      FROM risk_events) p
WHERE p.seq = s.seq;
ALTER TABLE risk_event_subjects ALTER COLUMN item SET NOT NULL;
CREATE INDEX risk_event_subjects_item ON risk_event_subjects (vendor_id, item, seq);

-- Per agency, by how much its number of running critical contracts changes on a day (+1 on a
-- contract's first day, -1 the day after its last): the total on a day is the sum up to it,
-- kept as each contract event comes instead of counted over every contract.
CREATE TABLE risk_critical_days (
    agency text NOT NULL,
    day    date NOT NULL,
    delta  integer NOT NULL,
    PRIMARY KEY (agency, day)
);
INSERT INTO risk_critical_days (agency, day, delta)
SELECT agency, day, sum(delta)
FROM (SELECT agency, starts_on AS day, 1 AS delta FROM risk_contracts
      WHERE critical AND starts_on <= ends_on
      UNION ALL
      SELECT agency, ends_on + 1, -1 FROM risk_contracts
      WHERE critical AND starts_on <= ends_on) changes
GROUP BY agency, day;
