-- A fact's `recorded_at` is when the event log recorded its event (event_store.recorded_at,
-- the same in both modes), no longer when the registry happened to apply it: "as known at"
-- answers (knownAt) come out the same after a rebuild replays the log, and live processing
-- that lags behind the log does not move facts later than they were known.
--
-- A trigger rather than a column in every INSERT: every table with an `event_id` gets it the
-- same way, at no extra statement. An event applied without the log (tests driving handlers
-- directly) keeps the default, the transaction's time.
CREATE FUNCTION registry_recorded_from_the_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.recorded_at := coalesce(
        (SELECT recorded_at FROM event_store WHERE event_id = NEW.event_id), NEW.recorded_at);
    IF TG_TABLE_NAME = 'registry_vendors' THEN
        NEW.updated_at := NEW.recorded_at;
    END IF;
    RETURN NEW;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'registry_vendors', 'registry_affiliation_changes', 'registry_sanctions',
        'registry_sanction_changes', 'registry_contracts', 'registry_subcontracts',
        'registry_incidents', 'registry_claims', 'registry_certificates'
    ] LOOP
        EXECUTE format(
            'CREATE TRIGGER %I BEFORE INSERT ON %I FOR EACH ROW'
            ' EXECUTE FUNCTION registry_recorded_from_the_log()',
            t || '_recorded_from_the_log', t);
    END LOOP;
END $$;

-- The change feed and the announced states are dated by the registry itself (the causing
-- event's recorded time, or the calendar's moment): no default may date them silently.
ALTER TABLE registry_changes ALTER COLUMN recorded_at DROP DEFAULT;
ALTER TABLE registry_eligibility_state ALTER COLUMN updated_at DROP DEFAULT;
