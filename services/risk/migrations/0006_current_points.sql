-- A current score written by the consumer keeps each factor's points and the agencies' totals
-- it used, as a history row does; its evidence is derived when it is read
-- (services/risk/current_scores.py). Deriving it at the end of every batch for every vendor
-- the batch touched was about a third of the consumer's CPU. Rows from before, and those the
-- daily refresh writes, keep the evidence they name (risk_factor_bodies) and have no totals.
ALTER TABLE risk_current ADD COLUMN agency_totals jsonb;
