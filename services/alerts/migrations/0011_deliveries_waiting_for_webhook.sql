-- Since when a pending delivery waits for its agency's webhook to be configured again (NULL: it
-- does not). The delivery loop, which reads the webhooks as configured now, keeps it, so that the
-- API (which may not be given the webhooks) tells a delivery that waits from one that is due:
-- both kept their last URL and a `next_try_at` in the past.
ALTER TABLE alert_deliveries ADD COLUMN waiting_for_webhook_since timestamptz;
