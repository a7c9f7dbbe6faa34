-- Distributed mode: forwarding in the store's order. Per partition, the seq up to which its
-- events have been sent to the consumers' topics (services/ingest/forwarding.py); it replaces
-- the set of forwarded event ids, which could not keep a vendor's order.
CREATE TABLE ingest_forward_heads (
    partition     smallint PRIMARY KEY REFERENCES event_chain_heads (partition),
    forwarded_seq bigint NOT NULL
);

-- Each partition starts before its first event never forwarded. A store that has never been
-- forwarded (embedded mode so far) is forwarded whole when it first runs distributed: the
-- consumers' ledgers apply what they had applied once.
INSERT INTO ingest_forward_heads (partition, forwarded_seq)
    SELECT h.partition,
           coalesce(
               (SELECT min(s.seq) - 1 FROM event_store s
                WHERE s.partition = h.partition
                  AND NOT EXISTS (SELECT 1 FROM ingest_forwarded f WHERE f.event_id = s.event_id)),
               h.seq)
    FROM event_chain_heads h;

DROP TABLE ingest_forwarded;
