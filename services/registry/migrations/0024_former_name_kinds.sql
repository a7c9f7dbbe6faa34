-- Which of the vendor's names a former name was (its legal name, kana reading or English
-- name), beside the last day it was used: bidder screening names a match as of its day
-- (`asOf`), and on a day up to that last day the name was the vendor's own, as that kind,
-- not a former name (bidder_screening/matching.py). NULL for current names and aliases.
--
-- Existing registries start without it: the former names recorded before this column are
-- matched as former names on every day, as before, until a registry rebuild
-- (`vendorwatch rebuild registry`) derives their kinds from the log.
ALTER TABLE registry_vendor_names
    ADD COLUMN former_of text CHECK (former_of IN ('legal', 'kana', 'english'));
