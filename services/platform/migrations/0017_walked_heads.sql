-- Each intact walk of the chains records the heads it saw: partition p's last seq and chain
-- hash at element p + 1 of `head_seqs` and `head_hashes` (eventstore/chain_checks.py). Every
-- walk after checks that the log still holds them, the row at that seq with that chain hash
-- (eventstore/walked_heads.py): an owner who removed a partition's newest events and set its
-- head, offsets, ledgers and recorded orders back to the row before, all values readable
-- from the tables and no hash computed, left a log that verified intact, and a rebuild then
-- replayed fewer events, though each walk had recorded how many it counted.
--
-- Null for a walk that found problems (its heads may be those of rows that are not the
-- log's, which a repair then removes) and for walks recorded before this migration.
ALTER TABLE chain_verifications
    ADD COLUMN head_seqs bigint[],
    ADD COLUMN head_hashes text[];
