-- Distributed mode: the events ingest has forwarded to the consumers' topics. A record read
-- again after a crash (before its batch was acknowledged) is forwarded again if it is not
-- here; a producer's resend of an event stored and forwarded before is not.
CREATE TABLE ingest_forwarded (
    event_id     uuid PRIMARY KEY,
    forwarded_at timestamptz NOT NULL DEFAULT now()
);
