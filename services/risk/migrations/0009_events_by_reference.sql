-- The events risk recorded keep their place in risk's order (seq) and their id, not a copy of
-- their envelope: the event store holds every event risk is given (ingest stores an event
-- before anyone may consume it, in both modes), append-only and chained, so envelopes are
-- read from there by event id (its unique key). A batch no longer serialises and writes
-- each envelope a second time.
ALTER TABLE risk_events DROP COLUMN envelope;
