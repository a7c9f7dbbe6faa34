-- A vendor's state kept item by item (services/risk/state_storage.py): a batch writes the
-- items its events changed, not the vendor's whole record.
CREATE TABLE risk_vendor_items (
    vendor_id  text NOT NULL,
    item       text NOT NULL,   -- "contract:<id>", "incident:<id>", …
    fact       jsonb,           -- the item as the state holds it (none: only dates known)
    horizon    date,            -- the latest day from which one of its events counts
    terminated boolean NOT NULL DEFAULT false,  -- a contract terminated
    PRIMARY KEY (vendor_id, item)
);

-- Which write a state row is: a process reuses the state it wrote while the token is its own.
ALTER TABLE risk_vendor_states ADD COLUMN written uuid;

-- The states written before, split into their items (an item with a fact and a horizon
-- comes from both places: its fact kept).
INSERT INTO risk_vendor_items (vendor_id, item, fact, horizon, terminated)
SELECT DISTINCT ON (s.vendor_id, i.item)
       s.vendor_id, i.item, i.fact, (s.state -> 'horizons' ->> i.item)::date,
       i.item LIKE 'contract:%' AND (s.state -> 'terminated') ? substr(i.item, 10)
FROM risk_vendor_states s,
     LATERAL (
         SELECT k.kind || ':' || e.key AS item, e.value AS fact
         FROM (VALUES ('incident', 'incidents'), ('sanction', 'sanctions'),
                      ('contract', 'contracts'), ('subcontract', 'subcontracts'),
                      ('certificate', 'certificates'), ('claim', 'claims')) AS k(kind, field),
              jsonb_each(coalesce(s.state -> k.field, '{}'::jsonb)) AS e
         UNION ALL
         SELECT h.key, NULL FROM jsonb_each(coalesce(s.state -> 'horizons', '{}'::jsonb)) AS h
         UNION ALL
         SELECT 'contract:' || t, NULL
         FROM jsonb_array_elements_text(coalesce(s.state -> 'terminated', '[]'::jsonb)) AS t
     ) AS i
ORDER BY s.vendor_id, i.item, i.fact IS NULL;

UPDATE risk_vendor_states
SET state = jsonb_build_object(
    'horizon', coalesce(state -> 'horizon', '"0001-01-01"'::jsonb),
    'digests', coalesce(state -> 'digests', '{}'::jsonb)
);
