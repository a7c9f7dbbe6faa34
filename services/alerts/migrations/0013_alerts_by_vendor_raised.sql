-- An agency's last alert about a vendor raised by a moment, which a watch starting then is
-- compared with (repository.last_told, by=): found from that moment back, without passing the
-- alerts raised after it (a replay finds them stored: 4,000 of a pair's 5,000 were passed for a
-- watch starting at its 1,000th), nor the possible matches, which say nothing of eligibility.
CREATE INDEX alerts_by_vendor_raised ON alerts (vendor_id, agency, raised_at DESC, seq DESC)
    WHERE change <> 'possible_match';
