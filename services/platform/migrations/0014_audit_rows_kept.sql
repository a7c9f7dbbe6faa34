-- The audit tables keep their rows as written: the log (event_store), the refusals and why
-- (dead_letters), and the record of every walk of the chains (chain_verifications). No
-- process updates or deletes a row of any of them: ingest and the consumers insert letters
-- once per input (ON CONFLICT DO NOTHING, a rebuild's replay too), `verify`, the hourly walk
-- and a rebuild's check insert their result, and no retention removes either. Until now only
-- the log refused an UPDATE or a DELETE; a letter could be edited or removed by hand (a
-- refusal the ingest door made, which no ledger names, without a trace), and a walk's result
-- turned from broken to intact, which /healthz and /metrics then reported.
--
-- One function for the three tables, so that each refuses alike: SQLSTATE 55000
-- (object_not_in_prerequisite_state, the project's code for a guard refusing a statement,
-- as platform 0013), not an integrity violation (23xxx), which a consumer takes for the
-- fault of the event it is applying and refuses the event for; nor P0001, which says nothing.
-- TRUNCATE is refused too: it removes every row at once and fires no row trigger.
--
-- What this does not stop: the database owner can disable the trigger and write anything.
-- `verify` finds a consumer's refusal whose letter is gone (ledger_checks.py) and, as ever,
-- any edit of the log; the next walk records the chains' state again. The guard keeps
-- honest hands and mistakes (an UPDATE without its WHERE) off the record.
CREATE FUNCTION audit_rows_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'Its rows are an audit record, kept as written.';
END $$;

-- The log's trigger keeps its name (an owner's procedure, and migration 0003, disable it by
-- name); only its function is the shared one now.
DROP TRIGGER event_store_append_only ON event_store;
DROP FUNCTION event_store_is_append_only();

CREATE TRIGGER event_store_append_only BEFORE UPDATE OR DELETE ON event_store
    FOR EACH ROW EXECUTE FUNCTION audit_rows_kept();
CREATE TRIGGER event_store_not_truncated BEFORE TRUNCATE ON event_store
    FOR EACH STATEMENT EXECUTE FUNCTION audit_rows_kept();

CREATE TRIGGER dead_letters_append_only BEFORE UPDATE OR DELETE ON dead_letters
    FOR EACH ROW EXECUTE FUNCTION audit_rows_kept();
CREATE TRIGGER dead_letters_not_truncated BEFORE TRUNCATE ON dead_letters
    FOR EACH STATEMENT EXECUTE FUNCTION audit_rows_kept();

CREATE TRIGGER chain_verifications_append_only BEFORE UPDATE OR DELETE ON chain_verifications
    FOR EACH ROW EXECUTE FUNCTION audit_rows_kept();
CREATE TRIGGER chain_verifications_not_truncated BEFORE TRUNCATE ON chain_verifications
    FOR EACH STATEMENT EXECUTE FUNCTION audit_rows_kept();
