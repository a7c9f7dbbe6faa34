-- The order a consumer claimed events in, for a consumer whose verdicts depend on it (the
-- registry: a registration is refused when another vendor already holds its identifier, so
-- which of two is refused depends on which was judged first). Written with the claim, in
-- the order the batch is applied (services/platform/consuming/consumer.py); a rebuild
-- judges the log in it again (services/platform/consuming/applied_order.py). A batch rolled
-- back leaves gaps in `seq`, which change nothing: only the order counts.
CREATE TABLE claim_order (
    seq      bigserial PRIMARY KEY,
    consumer text NOT NULL,
    event_id uuid NOT NULL
);
CREATE INDEX claim_order_consumer ON claim_order (consumer, seq);
