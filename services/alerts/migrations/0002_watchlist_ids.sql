-- A watchlist's own id (services.events.alerts.watchlist_id: a uuid5 of agency and name), by
-- which `node(id:)` finds a saved list again. Lists saved before it existed take it from the
-- key of the event that saved them last, which carries it ("watchlist:<id>").
ALTER TABLE alert_watchlists ADD COLUMN watchlist_id uuid;
UPDATE alert_watchlists w SET watchlist_id = substr(e.vendor_id, length('watchlist:') + 1)::uuid
    FROM event_store e WHERE e.event_id = w.event_id;
CREATE UNIQUE INDEX alert_watchlists_id ON alert_watchlists (watchlist_id);
