-- Every review candidate ("possible same as") of an import report, in the file's order: the
-- report's own first 100 (`import.reported`) and those its listings carry beyond them
-- (`import.candidates_listed`), read a page at a time by `ImportReport.candidates`. A projection
-- of the log like every registry table: a rebuild empties it and replays the events into it.
-- (Numbered 0007: another change may bring a 0005; the runner applies each number once.)
CREATE TABLE registry_import_candidates (
    report_id           uuid NOT NULL REFERENCES registry_import_reports (event_id),
    position            integer NOT NULL CHECK (position >= 0),  -- among the report's, from 0
    line                integer NOT NULL,
    name                text NOT NULL,
    vendor_id           text NOT NULL,
    candidate_name      text NOT NULL,
    candidate_vendor_id text NOT NULL,
    score               double precision NOT NULL,
    why                 text NOT NULL,
    PRIMARY KEY (report_id, position)
);

-- The reports stored before this table: their own candidates (listings did not exist yet).
INSERT INTO registry_import_candidates
SELECT r.event_id, c.position - 1, (c.candidate ->> 'line')::integer, c.candidate ->> 'name',
       c.candidate ->> 'vendor_id', c.candidate ->> 'candidate_name',
       c.candidate ->> 'candidate_vendor_id', (c.candidate ->> 'score')::double precision,
       c.candidate ->> 'why'
FROM registry_import_reports r,
     jsonb_array_elements(r.report -> 'review') WITH ORDINALITY AS c (candidate, position);
