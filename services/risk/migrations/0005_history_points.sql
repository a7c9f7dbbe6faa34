-- A history row keeps each factor's points, and the agencies' totals the score used; the
-- evidence is derived when the row is read (services/risk/history.py), so that an event of a
-- vendor with thousands of contracts does not write them all again. Rows from before keep the
-- evidence they name (risk_factor_bodies) and have no totals.
ALTER TABLE risk_history ADD COLUMN agency_totals jsonb;
