-- The registrations, and the updates giving identifiers, that the registry has not judged
-- yet (registry/storage/vendor_identities.py): the receipt of a registration, or of an
-- update giving identifiers, refuses a vendor id or an identifier that one of them claims,
-- logged a moment before and still to be applied, as the registry will once it applies it.
-- They are those past the registry's offset in each partition: one range of this index per
-- partition, as long as the registry's backlog of such events, whatever the log holds.
--
-- Partial: written by registrations and such updates alone, not by every append (an update
-- giving none stores `"identifiers": null`).
CREATE INDEX event_store_vendor_identities ON event_store (partition, seq)
    WHERE event_type = 'vendor.registered'
       OR event_type = 'vendor.updated'
          AND jsonb_typeof(envelope #> '{payload,identifiers}') = 'array';
