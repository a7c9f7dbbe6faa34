-- A vendor's events of one type in its partition's order, without reading its others: a
-- receipt for a plan asked for by hand finds the last contract event of the vendor that
-- migration applied, and what follows it (migration/storage/contracts_to_come.py), where the
-- index by vendor alone had it read every event of the vendor at every request (5,001 rows
-- for a vendor with 5,000 awards; 4,589 buffers, 4.6 ms; now 51 buffers, 0.3 ms).
--
-- Written by every append, as the store's other indexes are.
CREATE INDEX event_store_vendor_type ON event_store (vendor_id, event_type, seq);
