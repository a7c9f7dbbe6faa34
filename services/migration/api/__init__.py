"""The migration service as people and programs read it: GraphQL types, queries, mutations and
live progress, and the plan exports served over HTTP."""
