-- What the last announcement said will bar the vendor later (its upcoming reasons, as
-- announcements.upcoming writes them), so that a sanction recorded to begin later is
-- announced though it changes nothing today: migration flags a replacement it will bar.
-- Null for states announced before: compared without it until the next announcement writes
-- it (an upgrade announces nothing).
ALTER TABLE registry_eligibility_state ADD COLUMN upcoming text;
