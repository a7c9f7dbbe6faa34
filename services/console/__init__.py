"""The web console: static pages that speak the public GraphQL API with the user's token."""
