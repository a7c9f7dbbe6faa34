-- For a lifted alert, the sanctions already recorded to bar its vendor at its agency again
-- later (AlertRaised.upcoming): free to bid now, not for good. Alerts raised before kept
-- none: they read as an empty list, as the events that raised them have none.
ALTER TABLE alerts ADD COLUMN upcoming jsonb NOT NULL DEFAULT '[]';
