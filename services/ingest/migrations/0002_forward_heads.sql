-- Distributed mode: forwarding in the store's order. Per partition, the seq up to which its
-- events have been sent to the consumers' topics (services/ingest/forwarding.py); it replaces
-- the set of forwarded event ids, which could not keep a vendor's order.
CREATE TABLE ingest_forward_heads (
    partition     smallint PRIMARY KEY REFERENCES event_chain_heads (partition),
    forwarded_seq bigint NOT NULL
);

-- A store that has run distributed goes on from each partition's first event never
-- forwarded. One that has only run embedded (nothing forwarded, ever) goes on from where its
-- embedded consumers all got to: what they applied is not sent again (live subscribers would
-- take old facts for news), what they had not is sent.
INSERT INTO ingest_forward_heads (partition, forwarded_seq)
    SELECT h.partition,
           CASE WHEN EXISTS (SELECT 1 FROM ingest_forwarded) THEN
               coalesce(
                   (SELECT min(s.seq) - 1 FROM event_store s
                    WHERE s.partition = h.partition
                      AND NOT EXISTS (SELECT 1 FROM ingest_forwarded f
                                      WHERE f.event_id = s.event_id)),
                   h.seq)
           ELSE
               -- Embedded consumers save every partition's seq with each batch.
               coalesce((SELECT min(o.seq) FROM consumer_offsets o
                         WHERE o.partition = h.partition), 0)
           END
    FROM event_chain_heads h;

DROP TABLE ingest_forwarded;
