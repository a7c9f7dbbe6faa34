-- A walk's result is dated by the database as it is recorded, whatever the insert says. The
-- hourly watch walks when the latest recorded result is an interval old
-- (eventstore/chain_watch.py): one row inserted by hand with checked_at '2099-01-01' stopped
-- it for good, and /healthz reported that row. The watch now also walks past a row dated
-- after the database's clock (one written while this trigger was disabled).
--
-- What stays possible: an owner may insert a row, dated now, saying intact; /healthz reports
-- it until the next walk, at most the interval after it, and every walk after names its
-- heads if the chain does not hold them (eventstore/walked_heads.py).
CREATE FUNCTION chain_verification_dated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.checked_at := now();
    RETURN NEW;
END $$;

CREATE TRIGGER chain_verifications_dated BEFORE INSERT ON chain_verifications
    FOR EACH ROW EXECUTE FUNCTION chain_verification_dated();
