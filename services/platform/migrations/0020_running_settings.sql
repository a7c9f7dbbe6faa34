-- What each running process judges and scores events with (consuming/running_settings.py),
-- for a rebuild to compare with its own: a row per process, live while the process holds
-- the session advisory lock `lock_key` on its kept connection (pg_locks says so, whatever
-- role it runs as); rows whose lock is free are a stopped process's, removed when seen.
CREATE TABLE running_settings (
    lock_key  bigint PRIMARY KEY,
    process   text NOT NULL,
    settings  jsonb NOT NULL,
    since     timestamptz NOT NULL DEFAULT now()
);
