-- Whether a vendor is a firm or a natural person ('firm', 'individual'), as its registration
-- says (`vendor.registered`'s `kind`, which lists such as the IDB's give); NULL: not known,
-- as for every vendor registered before. The exclusions export classifies a party by it.
ALTER TABLE registry_vendors ADD COLUMN kind text CHECK (kind IN ('firm', 'individual'));
