-- The registry's set-based batches insert hundreds of rows per statement, and two per-row
-- mechanisms cost more than the inserts themselves (20,000 events: about 3.6 s in the dating
-- trigger and 4 s in foreign-key checks, against under 2 s for everything else the inserts
-- did). Each fired once per row, running a query planned again at every row (the pools run
-- with plan_cache_mode = force_custom_plan, which PL/pgSQL's and the foreign keys' own
-- queries obey too). Both are now done once per statement, with the same guarantees.

-- 1. Dating. A batch statement names `recorded_at` itself, read from the log in the statement
-- (platform/eventstore/recorded_time.py, recorded_at_sql); the trigger of 0003 now fires only
-- for a row that leaves it out (the per-event handlers), which is why the column has no
-- default any more: a row is dated by the statement or by the trigger, never by a default.
CREATE OR REPLACE FUNCTION registry_recorded_from_the_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.recorded_at := coalesce(
        (SELECT recorded_at FROM event_store WHERE event_id = NEW.event_id), now());
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
        'registry_incidents', 'registry_claims', 'registry_certificates',
        'registry_import_reports', 'registry_match_reviews'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN recorded_at DROP DEFAULT', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_recorded_from_the_log', t);
        EXECUTE format(
            'CREATE TRIGGER %I BEFORE INSERT ON %I FOR EACH ROW'
            ' WHEN (NEW.recorded_at IS NULL)'
            ' EXECUTE FUNCTION registry_recorded_from_the_log()',
            t || '_recorded_from_the_log', t);
    END LOOP;
END $$;

-- 2. A row naming a vendor names a registered one. The foreign keys checked it row by row
-- (and locked the vendor's row FOR KEY SHARE for each); a statement's new rows are now
-- checked together, in one anti-join against registry_vendors, raising what a foreign key
-- raises (SQLSTATE 23503), so the consumer refuses the event at fault as before.
CREATE FUNCTION registry_vendors_registered() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unknown text;
BEGIN
    SELECT a.vendor_id INTO unknown FROM added a
    WHERE NOT EXISTS (SELECT FROM registry_vendors v WHERE v.vendor_id = a.vendor_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" names an unregistered vendor',
            TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (vendor_id)=(%s) is not present in table'
                                  ' "registry_vendors".', unknown);
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'registry_vendor_identifiers', 'registry_vendor_names', 'registry_affiliation_changes',
        'registry_sanctions', 'registry_eligibility_state', 'registry_contracts',
        'registry_subcontracts', 'registry_incidents', 'registry_claims',
        'registry_certificates', 'registry_match_reviews'
    ] LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, t || '_vendor_id_fkey');
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS added'
            ' FOR EACH STATEMENT EXECUTE FUNCTION registry_vendors_registered()',
            t || '_vendor_registered_on_insert', t);
        EXECUTE format(
            'CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS added'
            ' FOR EACH STATEMENT EXECUTE FUNCTION registry_vendors_registered()',
            t || '_vendor_registered_on_update', t);
    END LOOP;
END $$;

-- What the foreign keys also forbade: removing or renaming a vendor that rows name. No
-- event removes or renames a vendor (a registration is a fact), so no row may; a rebuild
-- empties every registry table at once with TRUNCATE, which fires no row trigger.
CREATE FUNCTION registry_vendors_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'registry_vendors: vendor % is never removed nor renamed', OLD.vendor_id
        USING ERRCODE = 'foreign_key_violation';
END $$;

CREATE TRIGGER registry_vendors_kept BEFORE DELETE OR UPDATE OF vendor_id ON registry_vendors
    FOR EACH ROW EXECUTE FUNCTION registry_vendors_kept();
