-- A stored row's partition is one of the chains' (0 to 5, eventstore/chain.py PARTITIONS):
-- appends write nothing else. A row inserted by hand at partition 6 or -1, which no
-- trigger refused, was walked by no chain (`verify` walks partitions 0 to 5) nor read by any
-- consumer, and still answered eventStatus, events(vendorId) and auditTrail as an accepted
-- record. Such an INSERT is now refused.
--
-- NOT VALID: rows already there are not read at the upgrade (a scan of the whole log) nor
-- allowed to stop it; `verify` names every row outside the partitions, there before or
-- inserted once an owner drops this constraint (eventstore/verification.py).
ALTER TABLE event_store ADD CONSTRAINT event_store_partition_known
    CHECK (partition >= 0 AND partition < 6) NOT VALID;
