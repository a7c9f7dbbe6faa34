-- From when an agency's automatic watchlist holds the contracts awarded and still to start,
-- not only those running (an announcement of a bar tells the agency of a contract to start
-- next month; an award of one to a vendor barred there tells it at once): the moment this
-- code was installed. Announcements, awards and import listings recorded before it were told
-- to the agencies with a contract running then, and applied again (a backlog, a replay) they
-- are told so still: an agency would hear of old bars as news, and a replay would raise
-- alerts live never raised.
ALTER TABLE alert_installed ADD COLUMN to_start_at timestamptz NOT NULL DEFAULT now();
