-- The identifiers an update replaced (registry/storage/former_identifiers.py): each keeps
-- resolving to the vendor that held it, as a replaced name keeps matching as a former name,
-- so that a barred vendor does not screen as unknown by the number it had. `replaced_at` is
-- when the log recorded the update (a rebuild dates it alike): as known before it, the
-- identifier was the vendor's own; after it, the vendor's former one, answered when no vendor
-- holds it now. Unlike registry_vendor_identifiers, one identifier may have been held by
-- several vendors in turn (a mistyped number corrected, then registered to its owner).
--
-- Existing registries start with none: the identifiers replaced before this table are in the
-- log only, and a registry rebuild (`vendorwatch rebuild registry`) derives them from it.
CREATE TABLE registry_former_identifiers (
    scheme      text NOT NULL,
    value       text NOT NULL,
    vendor_id   text NOT NULL,   -- the vendor held it: the update that replaced it found it
    replaced_at timestamptz NOT NULL,
    event_id    uuid NOT NULL,   -- the vendor.updated that replaced it
    PRIMARY KEY (scheme, value, replaced_at, vendor_id)
);
-- `vendors(search:)` looks a value up in any scheme, as registry_vendor_identifiers_value.
CREATE INDEX registry_former_identifiers_value ON registry_former_identifiers (value);
CREATE INDEX registry_former_identifiers_vendor ON registry_former_identifiers (vendor_id);
