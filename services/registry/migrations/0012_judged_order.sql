-- The registry records the order it judged events in (platform's claim_order). The events it
-- judged before this migration are numbered in the order of the batches that claimed them
-- (`processed_at` is each batch transaction's start: live batches run one after the other),
-- and within a batch in the log's position order (an embedded batch's order; a rebuild's
-- rows share one time, and it judged in position order). A distributed batch's order within
-- it, the partitions as Kafka interleaved them, was not recorded and is not recovered.
INSERT INTO claim_order (consumer, event_id)
SELECT p.consumer, p.event_id
FROM processed_events p JOIN event_store s USING (event_id)
WHERE p.consumer = 'registry'
ORDER BY p.processed_at, s.position;
