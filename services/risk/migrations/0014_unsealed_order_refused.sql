-- Risk's recorded order written without its seal is refused, as the claims' is (platform
-- migration 0013_unsealed_orders_refused.sql, which says why): a risk worker of a release
-- before risk's 0013, still recording after the upgrade, fails instead of writing rows that
-- `vendorwatch verify` would name as inserted.
CREATE TRIGGER risk_events_sealed AFTER INSERT ON risk_events
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION recorded_order_sealed();
