-- What the registry's last announcement said will bar each vendor later
-- (vendor.eligibility_changed.upcoming): a replacement chosen while free, on which a sanction
-- is then recorded to begin later, is flagged from that announcement on. Announcements made
-- before it was said carry none.
ALTER TABLE migration_eligibility ADD COLUMN upcoming jsonb NOT NULL DEFAULT '[]';
