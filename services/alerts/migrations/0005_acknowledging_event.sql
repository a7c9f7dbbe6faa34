-- The event that acknowledged an alert. The first acknowledgement stands and another is
-- refused (services/alerts/acknowledgements.py); the same event applied again (a replay of the
-- alerts consumer from an empty ledger) is that acknowledgement, not another, and is told by
-- its id. Alerts acknowledged before take the first acknowledgement of theirs the alerts
-- service applied, in log order: an alert's acknowledgements are keyed by its vendor, so they
-- were applied in that order, and the first one applied was the one that stood.
ALTER TABLE alerts ADD COLUMN acknowledged_event_id uuid;
UPDATE alerts a SET acknowledged_event_id = first.event_id
    FROM (
        SELECT DISTINCT ON (alert_id) alert_id, vendor_id, event_id
        FROM (
            SELECT (e.envelope -> 'payload' ->> 'alert_id')::uuid AS alert_id, e.vendor_id,
                   e.event_id, e.position
            FROM event_store e
            JOIN processed_events p
              ON p.consumer = 'alerts' AND p.event_id = e.event_id AND NOT p.refused
            WHERE e.event_type = 'alert.acknowledged'
        ) applied
        ORDER BY alert_id, position
    ) first
    WHERE a.alert_id = first.alert_id AND a.vendor_id = first.vendor_id
      AND a.acknowledged_at IS NOT NULL;
