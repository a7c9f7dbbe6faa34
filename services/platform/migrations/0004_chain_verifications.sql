-- The results of the periodic walk of the event store's chains (verification.py), newest
-- last: one process walks per interval, every process reports the latest on /healthz.
CREATE TABLE chain_verifications (
    id          bigserial PRIMARY KEY,
    checked_at  timestamptz NOT NULL DEFAULT now(),
    events      bigint NOT NULL,
    intact      boolean NOT NULL,
    problems    text[] NOT NULL
);
