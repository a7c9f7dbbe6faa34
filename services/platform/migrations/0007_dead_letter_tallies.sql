-- The dead letters per stage, kept with the writes: the gauge (operations/database_gauges.py)
-- and `deadLetters { totalCount }` counted every letter at each scrape or request (a million
-- letters: about 120 ms of a parallel index-only scan, every 15 s per API replica scraped).
--
-- An exact count, not an estimate: an operator is alerted on a stage's letters going up, and
-- a statistic (pg_class.reltuples, per table, not per stage) moves when VACUUM or ANALYZE
-- run, not when a letter is written. Triggers keep it, so every writer counts, an operator's
-- DELETE or TRUNCATE included, in the transaction that writes the letters: a batch rolled
-- back counts nothing, and any snapshot sees the tallies and the letters agree.
--
-- Appended, never updated in place: one counter row per stage would be locked by each batch
-- that refuses input from its insert to its commit, so replicas of a consumer (or ingest)
-- refusing input at the same time would wait for each other, and could deadlock with the
-- locks their batches take afterwards. Each statement that writes letters adds one row per
-- stage; the gauge's sample folds a stage's rows into one (dead_letters.per_stage), so
-- the table stays about as small as the stages, plus the statements since the last scrape.
CREATE TABLE dead_letter_tallies (
    id      bigserial PRIMARY KEY,
    stage   text NOT NULL,
    letters bigint NOT NULL
);

CREATE FUNCTION dead_letters_tallied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO dead_letter_tallies (stage, letters)
        SELECT stage, count(*) FROM added GROUP BY stage;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO dead_letter_tallies (stage, letters)
        SELECT stage, -count(*) FROM removed GROUP BY stage;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION dead_letters_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM dead_letter_tallies;
    RETURN NULL;
END $$;

-- No letter may be written between the count below and the triggers taking over.
LOCK TABLE dead_letters IN SHARE ROW EXCLUSIVE MODE;

-- Transition tables hold only the rows the statement wrote: an insert that ON CONFLICT DO
-- NOTHING skipped (the same refusal again) is in none.
CREATE TRIGGER dead_letters_tallied_on_insert AFTER INSERT ON dead_letters
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION dead_letters_tallied();
CREATE TRIGGER dead_letters_tallied_on_update AFTER UPDATE ON dead_letters
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION dead_letters_tallied();
CREATE TRIGGER dead_letters_tallied_on_delete AFTER DELETE ON dead_letters
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION dead_letters_tallied();
CREATE TRIGGER dead_letters_emptied AFTER TRUNCATE ON dead_letters
    FOR EACH STATEMENT EXECUTE FUNCTION dead_letters_emptied();

INSERT INTO dead_letter_tallies (stage, letters)
SELECT stage, count(*) FROM dead_letters GROUP BY stage;
