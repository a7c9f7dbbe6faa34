"""The GraphQL schema: each service contributes its query fields; mutations go to the log."""

from __future__ import annotations

import strawberry

from services.gateway.mutations import Mutation
from services.gateway.operations import OperationsQuery
from services.registry.graphql_types import RegistryQuery


@strawberry.type
class Query(RegistryQuery, OperationsQuery):
    pass


schema = strawberry.Schema(query=Query, mutation=Mutation)


def schema_sdl() -> str:
    """The SDL checked in as graphql/schema.graphql."""
    return schema.as_str() + "\n"
