-- Risk's recorded order sealed, as the claims' (`claim_order`) is since platform migration
-- 0009 (see ARCHITECTURE.md, "Verify" and "The order of a replay"): a rebuild of risk replays
-- its events in the order `risk_events.seq` records, and the agencies' totals of critical
-- contracts a history row and a current score keep depend on that order across vendors, so an
-- edited, removed, inserted or reordered row would have it score otherwise.
--
-- Each partition of the events is a chain of blocks: a batch's events of one partition are a
-- block, whose last row carries its `seal`,
--     sha256(previous seal | 'risk' | partition | seq:event_id,seq:event_id,…)
-- over its rows in seq order (services/platform/eventstore/order_seals.py; `add_events` writes
-- it in its insert, services/risk/storage/repository.py), the chain's last seq and seal in
-- `claim_order_heads` under the consumer `risk`, locked by the insert of a batch writing to
-- that partition.
ALTER TABLE risk_events ADD COLUMN seal text;

-- The rows recorded before are sealed as one block per partition, as they stand now: an edit
-- made to them before this migration ran is not found, one made after is. (Rows are never
-- removed nor renumbered but by a rebuild, risk_events_kept; not sealing them would leave the
-- whole order of an upgraded store unprotected until its next rebuild.)
WITH blocks AS (
    SELECT s.partition, max(r.seq) AS seq,
           encode(sha256(convert_to(concat_ws('|', repeat('0', 64), 'risk', s.partition,
               string_agg(r.seq || ':' || r.event_id, ',' ORDER BY r.seq)), 'UTF8')), 'hex')
               AS seal
    FROM risk_events r JOIN event_store s USING (event_id)
    GROUP BY s.partition
), marked AS (
    UPDATE risk_events r SET seal = b.seal FROM blocks b WHERE r.seq = b.seq
)
INSERT INTO claim_order_heads (consumer, partition, seq, seal)
SELECT 'risk', partition, seq, seal FROM blocks;

-- Every partition has a head from the start: the inserts lock existing rows (two first
-- batches of one partition creating its head at once would both seal from the start).
INSERT INTO claim_order_heads (consumer, partition, seq, seal)
SELECT 'risk', partition, 0, repeat('0', 64) FROM generate_series(0, 5) AS partition
ON CONFLICT (consumer, partition) DO NOTHING;

-- `vendorwatch verify` walks the seals of the orders named here (platform migration 0011).
INSERT INTO recorded_orders (consumer, recorded_in) VALUES ('risk', 'risk_events');
