-- The registry's projection of vendor and sanction events. `recorded_at` is when the registry
-- learnt a fact, the basis for answering "as known at" questions.
CREATE TABLE registry_vendors (
    vendor_id   text PRIMARY KEY,
    legal_name  text NOT NULL,
    name_kana   text,
    name_en     text,
    country     text,
    aliases     text[] NOT NULL DEFAULT '{}',
    event_id    uuid NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- One identifier belongs to one vendor: the primary key makes a clash impossible to store.
CREATE TABLE registry_vendor_identifiers (
    scheme    text NOT NULL,
    value     text NOT NULL,
    vendor_id text NOT NULL REFERENCES registry_vendors (vendor_id),
    PRIMARY KEY (scheme, value)
);
CREATE INDEX registry_vendor_identifiers_vendor ON registry_vendor_identifiers (vendor_id);

CREATE TABLE registry_sanctions (
    sanction_id       text PRIMARY KEY,
    vendor_id         text NOT NULL REFERENCES registry_vendors (vendor_id),
    kind              text NOT NULL,
    authority         text NOT NULL,
    decided_on        date NOT NULL,
    starts_on         date NOT NULL,
    last_day          date,             -- NULL: indefinite
    agencies          text[],           -- NULL: every agency
    categories        text[],           -- NULL: every procurement category
    covers_affiliates boolean NOT NULL,
    grounds           text[] NOT NULL,
    reason            text,
    event_id          uuid NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (last_day IS NULL OR last_day >= starts_on)
);
CREATE INDEX registry_sanctions_vendor ON registry_sanctions (vendor_id);
