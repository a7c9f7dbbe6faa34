-- The append-only event store: every accepted event, once (event_id is the idempotency key).
-- `position` orders the log for embedded consumers; appends are serialised (see event_store.py)
-- so positions become visible in order and a tailing consumer never skips one.
CREATE TABLE event_store (
    position     bigserial PRIMARY KEY,
    event_id     uuid NOT NULL UNIQUE,
    event_type   text NOT NULL,
    vendor_id    text NOT NULL,
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    envelope     jsonb NOT NULL,
    content_hash text NOT NULL
);
CREATE INDEX event_store_vendor ON event_store (vendor_id, position);

CREATE FUNCTION event_store_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'event_store is append-only: % is not allowed', TG_OP;
END $$;
CREATE TRIGGER event_store_append_only BEFORE UPDATE OR DELETE ON event_store
    FOR EACH ROW EXECUTE FUNCTION event_store_is_append_only();

-- Which consumer has applied which event: written in the same transaction as the state change,
-- so redelivered events (at-least-once) have their effect exactly once.
CREATE TABLE processed_events (
    consumer     text NOT NULL,
    event_id     uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Embedded mode: how far each consumer has read the event store.
CREATE TABLE consumer_positions (
    consumer   text PRIMARY KEY,
    position   bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Input that could not be accepted or applied, with the reason, for a person to look at.
CREATE TABLE dead_letters (
    id          bigserial PRIMARY KEY,
    stage       text NOT NULL,
    event_id    uuid,
    event_type  text,
    reason      text NOT NULL,
    raw         text NOT NULL,
    raw_hash    text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    -- A retried batch or a redelivered message must not record the same refusal twice.
    UNIQUE (stage, raw_hash)
);
CREATE INDEX dead_letters_recorded ON dead_letters (recorded_at);
