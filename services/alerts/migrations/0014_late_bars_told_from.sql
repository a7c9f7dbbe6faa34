-- From when an award a sanction recorded later bars is told (AWARDED_WHILE_BARRED raised by
-- the sanction's announcement): the moment this code was installed. Announcements recorded
-- before it were applied by a consumer that told nothing of the awards, and tell nothing
-- when they are applied again (a replay): months-old awards would reach the agencies as news.
ALTER TABLE alert_installed ADD COLUMN late_bars_at timestamptz NOT NULL DEFAULT now();
