-- The recorded orders kept outside `claim_order`, sealed as it is (see ARCHITECTURE.md, "Verify"
-- and "The order of a replay"): a service whose rebuild replays the order it applied events in
-- may record it in a table of its own (risk: `risk_events`, numbered by its `seq`), with a
-- `seal` column written as the claims write theirs (services/platform/eventstore/order_seals.py)
-- and heads in `claim_order_heads` under its consumer's name. It names that table here, from
-- its own migration, so that `vendorwatch verify` walks its seals (and checks that each row
-- names a stored event) without the platform knowing the service's tables.
CREATE TABLE recorded_orders (
    consumer    text PRIMARY KEY,
    recorded_in regclass NOT NULL
);
