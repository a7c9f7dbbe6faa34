-- An alert to an agency that awarded a contract to a vendor barred from it on the award day
-- (the contract's agency and category, as the registry knew them when the award was
-- recorded), with the contract (AlertRaised.award, JSON); null for every other alert.
ALTER TABLE alerts DROP CONSTRAINT alerts_change_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_change_check
    CHECK (change IN ('barred', 'period_changed', 'lifted', 'possible_match', 'already_barred',
                      'awarded_while_barred'));
ALTER TABLE alerts ADD COLUMN award jsonb;
