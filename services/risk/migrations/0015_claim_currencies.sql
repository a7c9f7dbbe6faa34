-- A claim kept in a vendor's state says its currency, and whether its filing was recorded
-- before claims were weighed in their own currency (services/risk/domain/claim_factors.py:
-- from 2026-12-08, `later_rules.FIFTH_RULES_FROM`; before, its figure counted as yen). The
-- claims kept before are completed from the log, as a rebuild would fold them: the currency
-- their filing gave (JPY, the catalog's default, if it gave none) and the instant the log
-- recorded it. A claim item's first event is its filing (a settlement of a claim not filed
-- keeps no fact).
UPDATE risk_vendor_items i
SET fact = i.fact || jsonb_build_object(
        'currency', coalesce(s.envelope -> 'payload' ->> 'currency', 'JPY'),
        'amount_as_yen', s.recorded_at < timestamptz '2026-12-08 00:00:00+00')
FROM event_store s
WHERE i.item LIKE 'claim:%'
  AND i.fact IS NOT NULL
  AND NOT i.fact ? 'currency'
  AND s.event_id = (i.fact -> 'event_ids' ->> 0)::uuid;
