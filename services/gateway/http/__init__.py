"""The API over HTTP: strawberry's ASGI view and GraphQL over HTTP, GraphiQL, bearer
authentication, request ids and the request limits."""
