"""The GraphQL plumbing every service's part of the API uses: the request context, pages,
DataLoaders, mutation receipts, live events. The gateway composes the services over it."""
