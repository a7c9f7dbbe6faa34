-- A history row the consumer writes keeps what its score is derived from when read
-- (services/risk/history.py): the event (seq), its day, and the agencies' totals on that day;
-- not the score, band and points, which scoring each event in full for its own day cost a
-- quarter of the consumer's CPU. Rows from before keep their points (checked against the
-- derived ones when read) or the evidence they name.
ALTER TABLE risk_history
    ALTER COLUMN score DROP NOT NULL,
    ALTER COLUMN band DROP NOT NULL,
    ALTER COLUMN factors DROP NOT NULL;
