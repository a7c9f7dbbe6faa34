-- The sanction events of some vendors recorded at one moment (`sanction_repository.placed_at`,
-- asked for every moment of awards the alerts judge): impositions by vendor and moment,
-- changes by moment (those of one ingest batch), so the probe reads the moment's rows, not
-- every sanction of the vendors and all their changes.
CREATE INDEX registry_sanctions_vendor_recorded ON registry_sanctions (vendor_id, recorded_at);
CREATE INDEX registry_sanction_changes_recorded ON registry_sanction_changes (recorded_at);
