-- A factor's evidence is stored once, however many history rows it stands in: a vendor with a
-- thousand running contracts lists them under `concentration` in every score, and each of its
-- events wrote them all again (a history row grew with the record, and the table with its
-- square). A history row now names each factor's evidence by the SHA-256 of its JSON.
CREATE TABLE risk_factor_bodies (
    digest   text PRIMARY KEY,  -- hex SHA-256 of `evidence` as the service wrote it
    evidence jsonb NOT NULL     -- [{"event_ids": [...], "note": ..., "vendor_id": ...}, ...]
);

-- The rows written before: their evidence moves out, named by the digest of its text here.
INSERT INTO risk_factor_bodies (digest, evidence)
SELECT DISTINCT encode(sha256(convert_to((f -> 'evidence')::text, 'UTF8')), 'hex'), f -> 'evidence'
FROM risk_history h, jsonb_array_elements(h.factors) AS f
WHERE f ? 'evidence'
ON CONFLICT DO NOTHING;

UPDATE risk_history h
SET factors = (
    SELECT coalesce(jsonb_agg(
        jsonb_build_object(
            'name', f -> 'name',
            'contribution', f -> 'contribution',
            'evidence_digest', encode(sha256(convert_to((f -> 'evidence')::text, 'UTF8')), 'hex')
        ) ORDER BY n), '[]'::jsonb)
    FROM jsonb_array_elements(h.factors) WITH ORDINALITY AS e(f, n)
)
WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(h.factors) AS f WHERE f ? 'evidence');
