-- Import reports: one row per `import.reported` event the registry accepted, read by the API's
-- `imports` and `importReport`. The report is kept as its event says it (`report`, the payload
-- in the event contract's JSON form); the columns beside it are what the list is ordered and
-- filtered by. Like every registry table it is a projection of the log: a rebuild empties it
-- and replays the reports into it.
CREATE TABLE registry_import_reports (
    event_id uuid PRIMARY KEY,
    source text NOT NULL,
    file_name text NOT NULL,
    file_sha256 text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    report jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Newest first, then by id: the order of `imports`, and its cursors.
CREATE INDEX registry_import_reports_newest ON registry_import_reports (finished_at DESC, event_id DESC);

-- Dated by when the log recorded the report (migrations/0003), as every registry fact is.
CREATE TRIGGER registry_import_reports_recorded_from_the_log BEFORE INSERT
    ON registry_import_reports FOR EACH ROW EXECUTE FUNCTION registry_recorded_from_the_log();
