-- A contract's first day: one awarded to start later is not cut over before it starts (the
-- replacement would take over what the vendor never ran; with early cut-overs penalised the
-- solver put a contract starting in 2027-04 in 2027-01). Contracts learnt before this column
-- are given theirs from the award the service applied (its latest for the row's vendor, as
-- 0003 gave categories), and items theirs from their contract. One left without (none is
-- expected) is bound by nothing, as before. It reads the store's awards once (a scan of the
-- store, at the upgrade).
ALTER TABLE migration_contracts ADD COLUMN starts_on date;
ALTER TABLE migration_items ADD COLUMN starts_on date;

UPDATE migration_contracts c SET starts_on = awarded.starts_on
FROM (
    SELECT DISTINCT ON (s.envelope #>> '{payload,contract_id}', s.vendor_id)
           s.envelope #>> '{payload,contract_id}' AS contract_id,
           s.vendor_id,
           (s.envelope #>> '{payload,starts_on}')::date AS starts_on
    FROM event_store s
    JOIN processed_events p ON p.consumer = 'migration' AND p.event_id = s.event_id
    WHERE s.event_type = 'contract.awarded' AND NOT p.refused
    ORDER BY s.envelope #>> '{payload,contract_id}', s.vendor_id, s.position DESC
) AS awarded
WHERE awarded.contract_id = c.contract_id AND awarded.vendor_id = c.vendor_id;

UPDATE migration_items i SET starts_on = c.starts_on
FROM migration_contracts c WHERE c.contract_id = i.contract_id;
