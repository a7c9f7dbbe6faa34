-- The reasons of the vendor's last announcement (JSON, as the announcement carried them):
-- an agency is alerted only when what bars the vendor there changed. Null for announcements
-- seen before: alerted as before (every watching agency) until the vendor's next one.
ALTER TABLE alert_eligibility ADD COLUMN reasons text;
