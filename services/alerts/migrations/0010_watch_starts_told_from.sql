-- From when a watch's start and an award to a barred vendor are told (ALREADY_BARRED,
-- AWARDED_WHILE_BARRED): the moment this code was installed. Saves and awards recorded
-- before it were applied by a consumer that told nothing of them, and tell nothing when they
-- are applied again (offsets expired, a replay): months-old awards would reach the agencies
-- as news. A fresh install tells from its installation, as every other alert.
ALTER TABLE alert_installed ADD COLUMN watch_starts_at timestamptz NOT NULL DEFAULT now();
