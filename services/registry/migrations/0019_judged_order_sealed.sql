-- The rows 0012_judged_order.sql numbered, sealed (platform's 0009_sealed_claim_order.sql) when
-- a store upgrades across both at once: the platform's migrations run first, so those rows
-- came after the seals began. Nothing to do in a store that had 0012 already.
SELECT claim_order_sealed_as_it_stands();
