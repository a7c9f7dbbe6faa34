-- The deliveries waiting for their agency's webhook left out of the due ones' index: each round
-- of the delivery loop walked past them (their last next try, in the past, first in that order)
-- to reach those it could attempt, for as long as they waited. They have an index of their own,
-- for unmarking them once their agency has a webhook again.
DROP INDEX alert_deliveries_due;
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_try_at)
    WHERE delivered_at IS NULL AND waiting_for_webhook_since IS NULL;
CREATE INDEX alert_deliveries_waiting ON alert_deliveries (alert_id)
    WHERE delivered_at IS NULL AND waiting_for_webhook_since IS NOT NULL;
