-- The registry records the order it judged events in (platform's claim_order): the events it
-- judged before this migration are numbered in the log's position order, the order a
-- rebuild judged them in until now, so rebuilding gives the verdicts it gave before.
INSERT INTO claim_order (consumer, event_id)
SELECT p.consumer, p.event_id
FROM processed_events p JOIN event_store s USING (event_id)
WHERE p.consumer = 'registry'
ORDER BY s.position;
