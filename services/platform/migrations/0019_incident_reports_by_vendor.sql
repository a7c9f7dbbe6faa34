-- Whether the log holds a vendor's report of an incident, by its id
-- (registry/storage/logged_records.py): the receipt of an investigation or a closing of an
-- incident the registry does not hold refuses it unless its report is logged, still to be
-- applied, as 0015 lets a change of a sanction or a contract through. One probe.
--
-- Partial: written by incident reports alone, not by every append.
CREATE INDEX event_store_incident_reports
    ON event_store (vendor_id, (envelope #>> '{payload,incident_id}'))
    WHERE event_type = 'incident.reported';
