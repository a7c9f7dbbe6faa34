-- A recorded order's rows written without their seal are refused (see ARCHITECTURE.md,
-- "Whole upgrades" under Cross-cutting concerns). Since 0009 the statement recording a
-- batch's order seals it (services/platform/eventstore/order_seals.py): the batch's last row
-- of each partition carries its block's seal, so a statement's highest seq always does. A
-- process of a release before the seals, still claiming after the upgrade ran (a distributed
-- worker started before it), wrote its rows unsealed, and `vendorwatch verify` then named them rows
-- inserted after the last seal: tampering, for an auditor, where there was none. Such a
-- statement now fails whole, saying why, and the old process stalls on it (it retries the
-- batch, failing, on its /healthz) instead of writing what verify would call tampered.
--
-- The error is no integrity violation (SQLSTATE 55000, not 23xxx): a consumer takes those
-- for a fault of the event and refuses it (platform/consuming/consumer.py), and an old
-- risk worker, whose recording statement runs inside its handler, would have refused every
-- event it was given, for good, instead of stopping.
--
-- Migrations may still write unsealed rows for a later migration to seal as they stand
-- (the registry's 0012 numbers what it judged before, sealed by its 0019 in a store upgrading
-- across both): they run holding the migrations' advisory lock (the key of
-- services/platform/postgres/migrations.py, 0x56574D49), which the check asks for only when
-- the last row is unsealed. An owner can still disable the trigger and write anything: verify
-- is what finds that; this guard keeps honest processes from raising a false alarm.
--
-- One statement-level check per recording statement: the highest seq of its rows, in the
-- rows it wrote (a few thousand at most, no index read).
CREATE FUNCTION recorded_order_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_row record;
BEGIN
    SELECT a.seq, a.event_id, a.seal INTO last_row FROM added a ORDER BY a.seq DESC LIMIT 1;
    IF FOUND AND last_row.seal IS NULL AND NOT EXISTS (
        SELECT FROM pg_locks
        WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
          AND classid = 0 AND objid = 1448561993 AND objsubid = 1
    ) THEN
        RAISE EXCEPTION 'rows of the recorded order in % written without their seal (seq %,'
            ' event %): this process is of a release before the recorded orders were sealed,'
            ' and the database was upgraded under it', TG_TABLE_NAME, last_row.seq,
            last_row.event_id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Stop every process of the release before and run the release that'
                         ' upgraded the database: an upgrade is whole, not rolling.';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER claim_order_sealed AFTER INSERT ON claim_order
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION recorded_order_sealed();
