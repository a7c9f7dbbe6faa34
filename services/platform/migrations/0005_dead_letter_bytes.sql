-- A dead letter keeps the input exactly as it came: `raw` is text for reading, but text cannot
-- hold NUL or bytes that are not UTF-8, so such input is shown there escaped or replaced and
-- kept byte for byte here (NULL when `raw` is exact). `raw_hash` is the hash of those exact
-- bytes from now on, so two inputs that differ only where text cannot show it are two
-- letters, not one.
ALTER TABLE dead_letters ADD COLUMN raw_bytes bytea;
