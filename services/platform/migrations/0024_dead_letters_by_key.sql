-- A letter of input that names no vendor (bytes that are not JSON, an empty value, a record
-- without a value) is found by the vendor its Kafka record's key named: the key is the
-- producer's word, no more verified than the input, but the only hint of whose the input
-- was, and ingest refuses a readable event keyed by another vendor. The key is kept as text
-- (`kafka_key`, null for input that came in no Kafka record), and the letter's vendor is the
-- one its input names, else the one its key names when that is a vendor id, as
-- dead_letter_vendor words it. Letters kept before have no key, and keep their vendor.
ALTER TABLE dead_letters ADD COLUMN kafka_key text;

CREATE FUNCTION dead_letter_key_vendor(kafka_key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kafka_key WHERE kafka_key ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'
$$;

-- A generated column's expression cannot change in place before PostgreSQL 17: dropped (its
-- index with it) and added again, filled from each letter's own text.
ALTER TABLE dead_letters DROP COLUMN vendor_id;
ALTER TABLE dead_letters ADD COLUMN vendor_id text GENERATED ALWAYS AS
    (coalesce(dead_letter_vendor(raw), dead_letter_key_vendor(kafka_key))) STORED;
CREATE INDEX dead_letters_by_vendor ON dead_letters (vendor_id, recorded_at, id)
    WHERE vendor_id IS NOT NULL;
