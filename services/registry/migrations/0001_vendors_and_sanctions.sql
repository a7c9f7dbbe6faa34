-- The registry's projection of vendor and sanction events.
-- `recorded_at` is when the registry learnt a fact. Facts that eligibility depends on are
-- append-only (sanctions, their changes, affiliation changes), so "as known at" questions are
-- answered by ignoring what was recorded later: bitemporal history, not overwrites.

CREATE TABLE registry_vendors (
    vendor_id   text PRIMARY KEY,
    legal_name  text NOT NULL,
    name_kana   text,
    name_en     text,
    country     text,
    event_id    uuid NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One identifier belongs to one vendor: the primary key makes a clash impossible to store.
-- `value` is normalised (upper case, no spaces or hyphens) so lookups match however typed.
CREATE TABLE registry_vendor_identifiers (
    scheme    text NOT NULL,
    value     text NOT NULL,
    vendor_id text NOT NULL REFERENCES registry_vendors (vendor_id),
    PRIMARY KEY (scheme, value)
);
CREATE INDEX registry_vendor_identifiers_vendor ON registry_vendor_identifiers (vendor_id);

-- Every name a vendor is searched by: current legal, kana and English names, aliases, and
-- former legal names with the days they were used.
CREATE TABLE registry_vendor_names (
    vendor_id  text NOT NULL REFERENCES registry_vendors (vendor_id),
    kind       text NOT NULL CHECK (kind IN ('legal', 'kana', 'english', 'former', 'alias')),
    name       text NOT NULL,
    used_until date
);
CREATE INDEX registry_vendor_names_vendor ON registry_vendor_names (vendor_id);

CREATE TABLE registry_affiliation_changes (
    id                bigserial PRIMARY KEY,
    vendor_id         text NOT NULL REFERENCES registry_vendors (vendor_id),
    related_vendor_id text NOT NULL,  -- may be registered later (another partition)
    relation          text NOT NULL,
    change            text NOT NULL,
    effective_on      date NOT NULL,
    event_id          uuid NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registry_affiliation_changes_vendor ON registry_affiliation_changes (vendor_id);
CREATE INDEX registry_affiliation_changes_related
    ON registry_affiliation_changes (related_vendor_id);

CREATE TABLE registry_sanctions (
    sanction_id            text PRIMARY KEY,
    vendor_id              text NOT NULL REFERENCES registry_vendors (vendor_id),
    kind                   text NOT NULL,
    authority              text NOT NULL,
    decided_on             date NOT NULL,
    starts_on              date NOT NULL,
    duration_months        integer,
    duration_days          integer,
    ends_on                date,
    indefinite             boolean NOT NULL,
    agencies               text[],           -- NULL: every agency
    categories             text[],           -- NULL: every procurement category
    covers_affiliates      boolean NOT NULL,
    grounds                text[] NOT NULL,
    serious                boolean NOT NULL,
    incident_ids           text[] NOT NULL,
    reason                 text,
    policy_override_reason text,
    event_id               uuid NOT NULL,
    recorded_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registry_sanctions_vendor ON registry_sanctions (vendor_id);

-- Amendments and early lifts. NULL columns are unchanged; `cover_all` names the scopes that
-- became "every one".
CREATE TABLE registry_sanction_changes (
    id                bigserial PRIMARY KEY,
    sanction_id       text NOT NULL REFERENCES registry_sanctions (sanction_id),
    lifted            boolean NOT NULL,
    effective_on      date NOT NULL,
    duration_months   integer,
    duration_days     integer,
    ends_on           date,
    indefinite        boolean,
    agencies          text[],
    categories        text[],
    cover_all         text[] NOT NULL DEFAULT '{}',
    covers_affiliates boolean,
    reason            text NOT NULL,
    event_id          uuid NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registry_sanction_changes_sanction ON registry_sanction_changes (sanction_id);

-- The change feed: every vendor whose identity or eligibility changed, so screening clients
-- re-check only those (registryChanges(since: cursor)). Sequence numbers are handed out before
-- their transactions commit, in another order; the feed is read in (xid, seq) order and only
-- below the oldest transaction still running, so a cursor never passes a change still to come.
CREATE TABLE registry_changes (
    seq         bigserial PRIMARY KEY,
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    vendor_id   text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('identity', 'eligibility')),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registry_changes_order ON registry_changes (xid, seq);

-- The eligibility last announced per vendor (vendor.eligibility_changed), so a change is
-- announced once, whether an event or the passing of a date caused it.
CREATE TABLE registry_eligibility_state (
    vendor_id         text PRIMARY KEY REFERENCES registry_vendors (vendor_id),
    eligible          boolean NOT NULL,
    eligible_again_on date,
    as_of             date NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Events the registry emits, written in the transaction that decided them and relayed to the
-- event log afterwards (the outbox pattern: emitted at least once, never lost).
CREATE TABLE registry_outbox (
    id         bigserial PRIMARY KEY,
    event      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
