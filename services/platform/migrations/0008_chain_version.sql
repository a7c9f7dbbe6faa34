-- Chain version 2 (see ARCHITECTURE.md, "The chain"): the link of each row appended from now
-- on also hashes its recorded_at, the time the log recorded the event, by which the registry
-- dates its facts, answers knownAt and chooses the rules that judge the event. Rows already
-- stored keep their version-1 links (recomputing them would also accept any edit made to them
-- so far), so each row says which formula links it.
--
-- The default is 1: a process of the previous release still appending during an upgrade
-- writes neither column, and links by version 1. A constant default is only catalogue data:
-- no row is rewritten, so the append-only trigger (a BEFORE UPDATE trigger) is not involved.
ALTER TABLE event_store ADD COLUMN chain_version smallint NOT NULL DEFAULT 1;
