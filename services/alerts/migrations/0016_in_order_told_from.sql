-- From when an award or a watchlist save is judged by its place in the log (a sanction its
-- ingest batch stored ahead of it counts; `records_in_order`), and from when a review
-- candidate that is the vendor its entry joined raises no POSSIBLE_MATCH alert: the moment
-- this code was installed. Events recorded before it were judged just before their moment,
-- and their candidates alerted, by the consumer before it; applied again (a backlog, a
-- replay) they are judged so still: old awards would reach the agencies as news, and a
-- replay would drop alerts an agency may have acknowledged.
ALTER TABLE alert_installed ADD COLUMN in_order_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE alert_installed ADD COLUMN merged_candidates_at timestamptz NOT NULL DEFAULT now();
