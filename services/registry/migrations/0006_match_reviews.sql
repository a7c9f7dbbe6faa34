-- Officers' review decisions on possible matches (`vendor.match_reviewed`): one row per
-- decision the registry accepted, read by `screenBidders` (a statement per screening) by the
-- bidder's name and address in their compared forms. Append-only like sanctions: a later
-- decision on the same bidder and vendor supersedes an earlier one when read (the log's order),
-- and a NOT_SAME decision is voided when read, by the vendor's own later events (a sanction
-- imposed or amended, a rename, a change of names or identifiers, a confirmation that gave it a
-- new one), so "as known at" answers and a rebuild come out alike.
-- (Numbered 0006, not 0005: another change may bring a 0005; the runner applies each number
-- once, in order.)
CREATE TABLE registry_match_reviews (
    event_id          uuid PRIMARY KEY,
    vendor_id         text NOT NULL REFERENCES registry_vendors (vendor_id),
    decision          text NOT NULL CHECK (decision IN ('confirmed', 'not_same')),
    name_key          text NOT NULL,  -- names.name_tokens of the name, accents folded
    address_key       text NOT NULL,  -- names.address_tokens of the address; '' without one
    bidder_name       text NOT NULL,  -- as screened
    bidder_address    text,
    bidder_country    text,
    identifier_scheme text,
    identifier_value  text,           -- normalised, as the registry stores identifiers
    gave_identity     boolean NOT NULL,  -- a confirmation that gave the vendor a new alias or
                                         -- identifier (it voids earlier NOT_SAME decisions)
    reason            text NOT NULL,
    recorded_by       text NOT NULL,  -- the subject of the API token that recorded it
    recorded_role     text NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registry_match_reviews_bidder ON registry_match_reviews (name_key, address_key);

-- Dated by when the log recorded the decision (migrations/0003), as every registry fact is.
CREATE TRIGGER registry_match_reviews_recorded_from_the_log BEFORE INSERT
    ON registry_match_reviews FOR EACH ROW EXECUTE FUNCTION registry_recorded_from_the_log();
