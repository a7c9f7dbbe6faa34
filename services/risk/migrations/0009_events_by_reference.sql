-- The events risk recorded keep their place in risk's order (seq) and their id, not a copy of
-- their envelope: the event store holds every event risk is given (ingest stores an event
-- before anyone may consume it, in both modes), append-only and chained, so envelopes are
-- read from there by event id (its unique key). A batch no longer serialises and writes
-- each envelope a second time.
--
-- An event risk records must be one the store holds (the reads join it), checked once per
-- statement as 0008 checks risk's own references, SQLSTATE 23503 as a foreign key raises.
CREATE FUNCTION risk_events_stored() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unknown uuid;
BEGIN
    SELECT a.event_id INTO unknown FROM added a
    WHERE NOT EXISTS (SELECT FROM event_store s WHERE s.event_id = a.event_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "risk_events" names an event the event'
            ' store does not hold'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (event_id)=(%s) is not present in table "event_store".',
                                  unknown);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER risk_events_stored_on_insert AFTER INSERT ON risk_events
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION risk_events_stored();
CREATE TRIGGER risk_events_stored_on_update AFTER UPDATE ON risk_events
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION risk_events_stored();

-- The events recorded so far pass the same check (an update of every row, by the trigger
-- above) before their copies go: one the store lacks refuses the migration, its envelope
-- kept.
UPDATE risk_events SET event_id = event_id;

ALTER TABLE risk_events DROP COLUMN envelope;
