-- A factor's evidence is stored once, however many history rows it stands in: a vendor with a
-- thousand running contracts lists them under `concentration` in every score, and each of its
-- events wrote them all again (a history row grew with the record, and the table with its
-- square). A stored score (history, current, announced) now names each factor's evidence by
-- the SHA-256 of its JSON.
CREATE TABLE risk_factor_bodies (
    digest   text PRIMARY KEY,  -- hex SHA-256 of `evidence` as the service wrote it
    evidence jsonb NOT NULL     -- [{"event_ids": [...], "note": ..., "vendor_id": ...}, ...]
);

-- The rows written before: their evidence moves out, named by the digest of its text here.
INSERT INTO risk_factor_bodies (digest, evidence)
SELECT DISTINCT encode(sha256(convert_to((f -> 'evidence')::text, 'UTF8')), 'hex'), f -> 'evidence'
FROM (
    SELECT factors FROM risk_history
    UNION ALL SELECT factors FROM risk_current
    UNION ALL SELECT factors FROM risk_announced
) AS s, jsonb_array_elements(s.factors) AS f
WHERE f ? 'evidence'
ON CONFLICT DO NOTHING;

CREATE FUNCTION pg_temp.by_digest(factors jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT coalesce(jsonb_agg(
        jsonb_build_object(
            'name', f -> 'name',
            'contribution', f -> 'contribution',
            'evidence_digest', encode(sha256(convert_to((f -> 'evidence')::text, 'UTF8')), 'hex')
        ) ORDER BY n), '[]'::jsonb)
    FROM jsonb_array_elements(factors) WITH ORDINALITY AS e(f, n)
$$;

UPDATE risk_history SET factors = pg_temp.by_digest(factors) WHERE factors @? '$[*].evidence';
UPDATE risk_current SET factors = pg_temp.by_digest(factors) WHERE factors @? '$[*].evidence';
UPDATE risk_announced SET factors = pg_temp.by_digest(factors) WHERE factors @? '$[*].evidence';
