-- Watchlists and alerts (services/alerts). Only the alerts service writes these tables.

-- An agency's saved watchlists, each as its last `watchlist.saved` said it. The automatic
-- watchlist (the vendors of the agency's running contracts) is not stored: it is read from the
-- registry's contracts when a change comes.
CREATE TABLE alert_watchlists (
    agency     text NOT NULL,
    name       text NOT NULL,
    vendor_ids text[] NOT NULL,
    saved_by   jsonb,                       -- the event's recorded_by
    saved_at   timestamptz NOT NULL,        -- when the log recorded the save
    event_id   uuid NOT NULL,
    PRIMARY KEY (agency, name)
);
-- Which watchlists name a vendor: the question every eligibility change asks.
CREATE INDEX alert_watchlists_vendors ON alert_watchlists USING gin (vendor_ids);

-- The eligibility each vendor last had, as its announcements said: tells a newly barred
-- vendor from a barred one whose period changed.
CREATE TABLE alert_eligibility (
    vendor_id         text PRIMARY KEY,
    eligible          boolean NOT NULL,
    eligible_again_on date
);

-- One alert per (agency, eligibility change); its id is derived from both, so a change applied
-- again (a redelivery, a replay) finds its alert already there.
CREATE TABLE alerts (
    seq               bigserial UNIQUE,     -- newest first, and the connection's cursor
    alert_id          uuid PRIMARY KEY,
    agency            text NOT NULL,
    vendor_id         text NOT NULL,
    change            text NOT NULL
                      CHECK (change IN ('barred', 'period_changed', 'lifted', 'possible_match')),
    as_of             date NOT NULL,
    eligible_again_on date,
    reasons           jsonb NOT NULL,       -- the announcement's reasons, as it said them
    watchlists        text[] NOT NULL,
    cause_event_id    uuid NOT NULL,
    raised_at         timestamptz NOT NULL,
    possible_match    jsonb,                -- the imported entry, for a possible_match
    acknowledged_at   timestamptz,
    acknowledged_by   jsonb,
    acknowledge_note  text
);
CREATE INDEX alerts_by_agency ON alerts (agency, seq DESC);

-- Webhook deliveries still to make and made (the delivery log). A row is written with its
-- alert when the agency has a webhook; the delivery loop takes the due ones, so what is pending
-- survives a restart. `body` is the exact JSON sent (and signed) on every attempt.
CREATE TABLE alert_deliveries (
    alert_id     uuid PRIMARY KEY REFERENCES alerts (alert_id),
    url          text NOT NULL,
    body         text NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    last_status  integer,                  -- the receiver's HTTP status; NULL: no answer
    last_error   text,
    last_try_at  timestamptz,
    next_try_at  timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_try_at) WHERE delivered_at IS NULL;

-- When the alerts service was installed. Its consumer starts at the beginning of the log: the
-- announcements recorded before this moment tell it each vendor's eligibility but alert nobody,
-- so that an upgrade does not send every agency its history.
CREATE TABLE alert_installed (
    at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO alert_installed DEFAULT VALUES;

-- `alert.raised` events, written with their alerts and relayed to the log (the outbox pattern).
CREATE TABLE alert_outbox (
    id         bigserial PRIMARY KEY,
    event      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
