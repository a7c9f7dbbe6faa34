-- A vendor's contracts by the day each was awarded: a sanction recorded after the days it
-- bars (or amended to bar earlier) makes the awards made to the vendor on those days
-- irregular, and the alerts read just those (storage/awards_by_vendor.py), where the index
-- (vendor_id, contract_id) read every contract the vendor was ever awarded.
--
-- Every index is written by the registry's batches that insert contracts: the batch
-- throughput with it is in tests/benchmarks/HISTORY.md.
CREATE INDEX registry_contracts_vendor_awarded ON registry_contracts (vendor_id, awarded_on);
