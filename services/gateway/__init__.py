"""Gateway: the GraphQL API over every service (queries, mutations into the log)."""
