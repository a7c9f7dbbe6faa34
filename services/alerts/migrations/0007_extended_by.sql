-- The sanctions recorded to bar an alert's vendor at its agency later that keep it barred
-- past the end of the alert's reasons without a free day between (AlertRaised.extended_by):
-- what, with the reasons, makes its eligible_again_on. Alerts raised before kept none: they
-- read as an empty list, as the events that raised them have none.
ALTER TABLE alerts ADD COLUMN extended_by jsonb NOT NULL DEFAULT '[]';
