-- Dead letters found by vendor, stage, event type and when they were recorded (the root
-- `deadLetters` query's filters, consuming/dead_letters.py): an auditor looking into a vendor
-- paged every letter and read `raw` to find the input refused at ingest, which is in no
-- vendor's timeline since the log never held it.
--
-- The vendor a letter's input names, as a column the letter's own text decides: generated,
-- so every writer (ingest, each consumer, a rebuild's replay) fills it alike and the letters
-- already kept get it here without an UPDATE, which their guard (0014) refuses as it should.
-- Named only when the input is JSON whose `vendor_id` is a vendor id as the event contract
-- words it (events/base.py `Identifier`: no escapes, at most 128 characters, so that an
-- index entry cannot outgrow its page); anything else (not JSON, no such key, a number, a
-- blank, nesting too deep for the parser) is null, never an error: a letter that could not
-- be written would roll back the batch refusing it. An EXCEPTION block, not a test of the
-- text first: pg_input_is_valid does not catch the parser's stack-depth error.
CREATE FUNCTION dead_letter_vendor(raw text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    given text;
BEGIN
    -- The value as written (quotes included), so that nothing is unescaped: \u0000 is an
    -- error when unescaped, and no vendor id needs an escape.
    given := (raw::json -> 'vendor_id')::text;
    IF given ~ '^"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"$' THEN
        RETURN substr(given, 2, length(given) - 2);
    END IF;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;

ALTER TABLE dead_letters
    ADD COLUMN vendor_id text GENERATED ALWAYS AS (dead_letter_vendor(raw)) STORED;

-- Pages are newest first by the moment recorded, then by number (letters of one transaction
-- share their moment), so that a recorded time range is an index range: with the number
-- order, a range long past was found by reading every letter since. Each filter has its
-- index in that order: a page of one filter (and a time range) reads its own rows; a second
-- filter given with it is checked on the rows of the first's index.
DROP INDEX dead_letters_recorded;
CREATE INDEX dead_letters_recorded ON dead_letters (recorded_at, id);
CREATE INDEX dead_letters_by_vendor ON dead_letters (vendor_id, recorded_at, id)
    WHERE vendor_id IS NOT NULL;
CREATE INDEX dead_letters_by_stage ON dead_letters (stage, recorded_at, id);
CREATE INDEX dead_letters_by_event_type ON dead_letters (event_type, recorded_at, id)
    WHERE event_type IS NOT NULL;
