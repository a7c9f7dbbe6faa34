-- A vendor's latest rename by effective day: the day it took effect and the legal name it
-- gave (NULL: never renamed). A rename effective before it is refused (domain/rename_rules.py:
-- the history of former names is only true in the order the renames took effect), naming it.
-- Of the renames the registry applied, the one effective last; of two effective on one day,
-- the one applied last, as the handler keeps it (a vendor's events are applied in its log
-- order).
ALTER TABLE registry_vendors ADD COLUMN renamed_on date, ADD COLUMN renamed_to text;

UPDATE registry_vendors v SET renamed_on = last.renamed_on, renamed_to = last.renamed_to
FROM (
    SELECT DISTINCT ON (s.vendor_id)
           s.vendor_id,
           (s.envelope -> 'payload' ->> 'effective_on')::date AS renamed_on,
           s.envelope -> 'payload' ->> 'new_legal_name' AS renamed_to
    FROM event_store s
    JOIN processed_events p
        ON p.consumer = 'registry' AND p.event_id = s.event_id AND NOT p.refused
    WHERE s.event_type = 'vendor.renamed'
    ORDER BY s.vendor_id, (s.envelope -> 'payload' ->> 'effective_on')::date DESC,
             s.position DESC
) AS last
WHERE v.vendor_id = last.vendor_id;
