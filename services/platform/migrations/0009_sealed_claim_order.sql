-- The recorded orders sealed (see ARCHITECTURE.md, "Verify" and "The order of a replay"): a
-- rebuild judges the registry's and migration's events again in the order `claim_order`
-- records, so an edited, removed, inserted or reordered row would have it judge otherwise
-- (a registration refused live accepted, its identifier's other vendor refused).
--
-- Each (consumer, partition of the event) is a chain of blocks: a batch's claims in one
-- partition are a block, whose last row carries its `seal`,
--     sha256(previous seal | consumer | partition | seq:event_id,seq:event_id,…)
-- over its rows in seq order (services/platform/eventstore/order_seals.py; the claim writes it
-- in SQL, services/platform/consuming/consumer.py). `claim_order_heads` holds each chain's last
-- sealed seq and seal, locked by the claim statement of a batch writing to that partition, as
-- event appends lock their partitions' heads: batches of different partitions (a distributed
-- worker's replicas) never wait for each other.
ALTER TABLE claim_order ADD COLUMN seal text;

CREATE TABLE claim_order_heads (
    consumer  text NOT NULL,
    partition smallint NOT NULL,
    seq       bigint NOT NULL,
    seal      text NOT NULL,
    PRIMARY KEY (consumer, partition)
);

-- Seals the rows after each chain's head as one block per (consumer, partition): the starting
-- point of rows written before the seals (this migration, and the registry's 0019 for the
-- rows its 0012 numbered when a store upgrades across both at once). Such rows are sealed as
-- they stand when it runs: an edit made to them before then is not found.
CREATE FUNCTION claim_order_sealed_as_it_stands() RETURNS void LANGUAGE sql AS $$
    WITH unsealed AS (
        SELECT o.consumer, s.partition, o.seq, o.event_id
        FROM claim_order o JOIN event_store s USING (event_id)
        LEFT JOIN claim_order_heads h ON h.consumer = o.consumer AND h.partition = s.partition
        WHERE o.seq > coalesce(h.seq, 0)
    ), blocks AS (
        SELECT u.consumer, u.partition, max(u.seq) AS seq,
               encode(sha256(convert_to(concat_ws('|', coalesce(h.seal, repeat('0', 64)),
                   u.consumer, u.partition,
                   string_agg(u.seq || ':' || u.event_id, ',' ORDER BY u.seq)), 'UTF8')), 'hex')
                   AS seal
        FROM unsealed u
        LEFT JOIN claim_order_heads h ON h.consumer = u.consumer AND h.partition = u.partition
        GROUP BY u.consumer, u.partition, h.seal
    ), marked AS (
        UPDATE claim_order o SET seal = b.seal FROM blocks b WHERE o.seq = b.seq
    )
    INSERT INTO claim_order_heads (consumer, partition, seq, seal)
    SELECT consumer, partition, seq, seal FROM blocks
    ON CONFLICT (consumer, partition) DO UPDATE SET seq = EXCLUDED.seq, seal = EXCLUDED.seal;
$$;

SELECT claim_order_sealed_as_it_stands();

-- Every partition of the consumers that record their order has a head from the start: the
-- claims lock existing rows (two first batches of one partition creating its head at once
-- would both seal from the start).
INSERT INTO claim_order_heads (consumer, partition, seq, seal)
SELECT consumer, partition, 0, repeat('0', 64)
FROM unnest(ARRAY['registry', 'migration']) AS consumer, generate_series(0, 5) AS partition
ON CONFLICT (consumer, partition) DO NOTHING;
