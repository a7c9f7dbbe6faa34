-- One agency's contracts in id order. The root `contracts` list is read by key now
-- (record_paging.py: `contract_id > after ORDER BY contract_id LIMIT first + 1`), which the
-- primary key serves without a filter; with `agency:` this index serves it, and serves one
-- agency's (or a system owner's few agencies') running contracts for their automatic
-- watchlists (record_repository.running_contract_vendors), which read every contract ever
-- awarded before (EXPLAIN ANALYZE at 171,000 contracts: 25-34 ms, now 7-14 ms).
--
-- Every index is written by the registry's batches that insert contracts: the batch
-- throughput with it is in tests/benchmarks/HISTORY.md.
CREATE INDEX registry_contracts_agency ON registry_contracts (agency, contract_id);
