-- Agencies whose number of running critical contracts today moved since the vendors holding
-- such contracts there were last scored. Concentration is a vendor's share of that number, so
-- another vendor's award moves every such vendor's score; the consumer marks the agency here
-- (one row per agency, whatever the number of events) and a periodic job re-scores those
-- vendors a batch at a time (risk/jobs.py), off the events' path. `moved` changes at every
-- mark, so the job forgets only the mark it acted on.
CREATE SEQUENCE risk_moves;

CREATE TABLE risk_moved_agencies (
    agency text PRIMARY KEY,
    moved  bigint NOT NULL
);
