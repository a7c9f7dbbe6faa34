"""The registry as people and programs read it: GraphQL types and root fields (vendors, search,
eligibility, records, affiliates, imports, authorities, the change feed) and the exclusions
export over HTTP."""
