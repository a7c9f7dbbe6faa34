"""The registry's pure rules: names and identifiers as compared, sanction periods and
timelines, the suspension policy and what it refuses, affiliations, and bid eligibility on a
day. No I/O."""
