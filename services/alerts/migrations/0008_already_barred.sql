-- An alert to an agency that starts watching a vendor already barred there (a saved list
-- naming it, a contract of it running when its award was recorded): the bar it would
-- otherwise first hear of when it is lifted.
ALTER TABLE alerts DROP CONSTRAINT alerts_change_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_change_check
    CHECK (change IN ('barred', 'period_changed', 'lifted', 'possible_match', 'already_barred'));
