-- Whether the log holds a vendor's imposition of a sanction, or award of a contract, by its
-- id (registry/storage/logged_records.py): the receipt of a change of a sanction or a
-- contract the registry does not hold refuses it unless its creation is logged, still to be
-- applied. One probe of an index each; by the index of each vendor's events by type (0010)
-- every award of a vendor was read (5,000 for a vendor with 5,000 awards).
--
-- Partial: written by impositions and awards alone, not by every append.
CREATE INDEX event_store_impositions ON event_store (vendor_id, (envelope #>> '{payload,sanction_id}'))
    WHERE event_type = 'sanction.imposed';
CREATE INDEX event_store_awards ON event_store (vendor_id, (envelope #>> '{payload,contract_id}'))
    WHERE event_type = 'contract.awarded';
