-- What the last announcement said bars the vendor (its reasons, as announcements.barring
-- writes them), so that a second sanction or a wider scope is announced even when eligible
-- and eligible-again-on stay as they were. Null for states announced before: compared
-- without it until the next announcement writes it.
ALTER TABLE registry_eligibility_state ADD COLUMN barring text;
