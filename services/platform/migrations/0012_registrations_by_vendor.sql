-- When the log first recorded a registration of each vendor an incident names
-- (registry/storage/named_records.py): one probe per vendor, its earliest by this index. By
-- the index of each vendor's events by type (0010) every registration of the vendor was read
-- to find the earliest, or the whole store scanned when one vendor's registrations made most
-- of it (6,001 rows for two vendors, one registered 6,000 times). `recorded_at` is not in
-- `seq`'s order (it is the appending transaction's start; a transaction that began first may
-- take the partition's lock second), so the earliest is found by it, not by the first seq.
--
-- Partial: written by registrations alone, not by every append.
CREATE INDEX event_store_registrations ON event_store (vendor_id, recorded_at)
    WHERE event_type = 'vendor.registered';
