-- An agency's last alert about a vendor, which each announcement is compared with: found
-- without reading the agency's other alerts, however many it has.
CREATE INDEX alerts_by_vendor ON alerts (vendor_id, agency, seq DESC);
