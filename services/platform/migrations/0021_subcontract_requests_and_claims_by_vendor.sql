-- Whether the log holds a vendor's request of a subcontract, or filing of a claim, by its id
-- (registry/storage/logged_records.py): the receipt of a decision on a subcontract, of a
-- re-subcontract of it, or of a settlement of a claim, that the registry does not hold
-- refuses it unless its creation is logged, still to be applied, as 0015 and 0019 let a
-- change of a sanction, a contract or an incident through. One probe of an index each.
--
-- Partial: written by subcontract requests and claim filings alone, not by every append.
CREATE INDEX event_store_subcontract_requests
    ON event_store (vendor_id, (envelope #>> '{payload,subcontract_id}'))
    WHERE event_type = 'contract.subcontract_requested';
CREATE INDEX event_store_claim_filings
    ON event_store (vendor_id, (envelope #>> '{payload,claim_id}'))
    WHERE event_type = 'claim.filed';
