-- When a contract's current terms were stated: the occurred_at of the last amendment the
-- registry applied to it (amendments apply in the vendor's log order, each replacing what
-- it gives), NULL while they are the award's. An import of a publisher's register amends a
-- recorded contract to a file's terms only when the file is the later statement, so that an
-- older file read after a newer one does not move an extension back.
ALTER TABLE registry_contracts ADD COLUMN terms_amended_at timestamptz;

UPDATE registry_contracts c SET terms_amended_at = last.occurred_at
FROM (
    SELECT DISTINCT ON (s.vendor_id, s.envelope -> 'payload' ->> 'contract_id')
           s.vendor_id, s.envelope -> 'payload' ->> 'contract_id' AS contract_id, s.occurred_at
    FROM event_store s
    JOIN processed_events p
        ON p.consumer = 'registry' AND p.event_id = s.event_id AND NOT p.refused
    WHERE s.event_type = 'contract.amended'
    ORDER BY s.vendor_id, s.envelope -> 'payload' ->> 'contract_id', s.position DESC
) AS last
WHERE c.vendor_id = last.vendor_id AND c.contract_id = last.contract_id;
