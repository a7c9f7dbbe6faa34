-- A history row and an event's subjects name an event risk recorded (risk_events.seq). The
-- foreign keys checked it row by row, planning their query again at every row under the
-- pools' force_custom_plan (services/platform/postgres/database.py): a batch's 2,000 rows
-- paid 2,000 look-ups, twice. A statement's new rows are now checked together, in one
-- anti-join against risk_events, raising what a foreign key raises (SQLSTATE 23503). The
-- handler writes only the seqs `add_events` returned in the same transaction; this is the
-- second line. What the keys also forbade, removing a referenced event or changing its
-- seq, risk_events_kept refuses for every event (none is ever removed or renumbered; a
-- rebuild empties the tables together with TRUNCATE, which fires no row trigger).
CREATE FUNCTION risk_events_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unknown bigint;
BEGIN
    SELECT a.seq INTO unknown FROM added a
    WHERE NOT EXISTS (SELECT FROM risk_events e WHERE e.seq = a.seq)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" names an event risk did not record',
            TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (seq)=(%s) is not present in table "risk_events".',
                                  unknown);
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['risk_event_subjects', 'risk_history'] LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, t || '_seq_fkey');
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS added'
            ' FOR EACH STATEMENT EXECUTE FUNCTION risk_events_recorded()',
            t || '_event_recorded_on_insert', t);
        EXECUTE format(
            'CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS added'
            ' FOR EACH STATEMENT EXECUTE FUNCTION risk_events_recorded()',
            t || '_event_recorded_on_update', t);
    END LOOP;
END $$;

CREATE FUNCTION risk_events_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'risk_events: event % is never removed nor renumbered', OLD.seq
        USING ERRCODE = 'foreign_key_violation';
END $$;

CREATE TRIGGER risk_events_kept BEFORE DELETE OR UPDATE OF seq ON risk_events
    FOR EACH ROW EXECUTE FUNCTION risk_events_kept();
