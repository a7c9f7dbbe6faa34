-- The order a vendor's names were recorded in, which the name index breaks a vendor's ties
-- between names of one kind and one score by (services/registry/name_search/
-- name_index_feed.py). The order stored (ctid) was not it: vacuum lets a new row into an
-- earlier page, and a rebuild stores every name anew, so a process started later named
-- another of two tied names as the match. Rows from before are numbered in the order stored,
-- the order they were read in until now: the rewrite reads the table from its first page (a
-- synchronised scan may start where another left off).
SET LOCAL synchronize_seqscans = off;
ALTER TABLE registry_vendor_names ADD COLUMN recorded bigserial;
