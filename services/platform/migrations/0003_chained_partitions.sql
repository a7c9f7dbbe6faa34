-- The event store in partitions, each a hash chain (see ARCHITECTURE.md, "The chain").
--
-- A vendor's events all land in one partition (a hash of vendor_id, computed the same way in
-- event_store.partition_of), numbered 1, 2, 3… by `seq`. Each row's chain_hash covers its
-- partition, seq, its predecessor's chain_hash and its own content_hash, so an edited, deleted,
-- inserted or reordered row breaks the chain from there on: `vendorwatch verify` finds it.
-- Appends lock only the heads of the partitions they write, so writers to other partitions
-- never wait for each other.
ALTER TABLE event_store
    ADD COLUMN partition smallint,
    ADD COLUMN seq bigint,
    ADD COLUMN chain_hash text;

CREATE TABLE event_chain_heads (
    partition  smallint PRIMARY KEY,
    seq        bigint NOT NULL,
    chain_hash text NOT NULL
);

-- Stores written before chains existed are chained once, in log order.
ALTER TABLE event_store DISABLE TRIGGER event_store_append_only;
DO $$
DECLARE
    row record;
    part smallint;
    next_seq bigint;
    previous text;
    link text;
BEGIN
    FOR row IN SELECT position, vendor_id, content_hash FROM event_store ORDER BY position LOOP
        part := (('x' || substr(md5(row.vendor_id), 1, 7))::bit(28)::int % 6)::smallint;
        SELECT seq + 1, chain_hash INTO next_seq, previous
            FROM event_chain_heads WHERE partition = part;
        IF NOT FOUND THEN
            next_seq := 1;
            previous := repeat('0', 64);
        END IF;
        link := encode(sha256(convert_to(
            part || '|' || next_seq || '|' || previous || '|' || row.content_hash, 'UTF8')), 'hex');
        UPDATE event_store SET partition = part, seq = next_seq, chain_hash = link
            WHERE position = row.position;
        INSERT INTO event_chain_heads (partition, seq, chain_hash) VALUES (part, next_seq, link)
            ON CONFLICT (partition) DO UPDATE SET seq = EXCLUDED.seq, chain_hash = EXCLUDED.chain_hash;
    END LOOP;
END $$;
ALTER TABLE event_store ENABLE TRIGGER event_store_append_only;
-- Every partition has a head from the start: appends lock existing rows, never insert them.
INSERT INTO event_chain_heads (partition, seq, chain_hash)
    SELECT part, 0, repeat('0', 64) FROM generate_series(0, 5) AS part
    ON CONFLICT (partition) DO NOTHING;

ALTER TABLE event_store
    ALTER COLUMN partition SET NOT NULL,
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN chain_hash SET NOT NULL,
    ADD CONSTRAINT event_store_partition_seq UNIQUE (partition, seq);

-- The verdict: a service that refused an event keeps its ledger row (a redelivery is not
-- judged again) marked as refused, so "applied by" never lists it and nothing downstream of
-- the registry sees a refused event.
ALTER TABLE processed_events ADD COLUMN refused boolean NOT NULL DEFAULT false;

-- Embedded consumers read each partition in order, as Kafka consumers read theirs: how far
-- each has applied each partition. Replaces the single global position.
CREATE TABLE consumer_offsets (
    consumer   text NOT NULL,
    partition  smallint NOT NULL,
    seq        bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, partition)
);
INSERT INTO consumer_offsets (consumer, partition, seq)
    SELECT c.consumer, e.partition, max(e.seq)
    FROM consumer_positions c JOIN event_store e ON e.position <= c.position
    GROUP BY c.consumer, e.partition;
DROP TABLE consumer_positions;

CREATE INDEX dead_letters_event ON dead_letters (event_id) WHERE event_id IS NOT NULL;
