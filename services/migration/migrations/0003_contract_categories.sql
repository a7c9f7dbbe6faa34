-- A contract's procurement category: a sanction limited to some categories bars its vendor
-- from those contracts only, so only those move (services/migration/plan_opening.py).
-- Contracts learnt before this column are given theirs from the award the service applied
-- (its latest for the row's vendor); one left without (none is expected) counts as in every
-- sanction's scope, as the registry answers for an unnamed category: never "free to keep"
-- wrongly. It reads the store's awards once (a scan of the store, at the upgrade).
ALTER TABLE migration_contracts ADD COLUMN category text;

UPDATE migration_contracts c SET category = awarded.category
FROM (
    SELECT DISTINCT ON (s.envelope #>> '{payload,contract_id}', s.vendor_id)
           s.envelope #>> '{payload,contract_id}' AS contract_id,
           s.vendor_id,
           s.envelope #>> '{payload,category}' AS category
    FROM event_store s
    JOIN processed_events p ON p.consumer = 'migration' AND p.event_id = s.event_id
    WHERE s.event_type = 'contract.awarded' AND NOT p.refused
    ORDER BY s.envelope #>> '{payload,contract_id}', s.vendor_id, s.position DESC
) AS awarded
WHERE awarded.contract_id = c.contract_id AND awarded.vendor_id = c.vendor_id;
