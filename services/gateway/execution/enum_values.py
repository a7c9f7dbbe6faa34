"""An enum's value refused with the values it takes.

graphql-core refuses `criticality: HIGH` with "Value 'HIGH' does not exist in 'Criticality'
enum." and a guess only when one is close: a form's user is left to find the values in the
schema. Each enum of the schema lists them in its refusal instead (a literal's, coded
BAD_REQUEST, and a variable's, BAD_USER_INPUT, alike)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLEnumType, GraphQLError, GraphQLSchema


def _listing(enum: GraphQLEnumType, coerce: Callable[..., Any]) -> Callable[..., Any]:
    values = ", ".join(enum.values)

    def coerce_listing(given: Any, hide_suggestions: bool = False) -> Any:
        try:
            return coerce(given, hide_suggestions)
        except GraphQLError as error:
            if hide_suggestions:  # a schema that hides its suggestions hides its values too
                raise
            said = f"{error.message} Give one of {values}."
            raise GraphQLError(said, error.nodes, original_error=error.original_error) from error

    return coerce_listing


def list_enum_values(schema: GraphQLSchema) -> None:
    """Makes each enum of `schema` name its values when it refuses one."""
    for named in schema.type_map.values():
        if isinstance(named, GraphQLEnumType) and not named.name.startswith("__"):
            # The instance's own methods: graphql-core's parse_literal and parse_value, and
            # its validation, call these.
            named.coerce_input_literal = _listing(  # type: ignore[method-assign]
                named, named.coerce_input_literal
            )
            named.coerce_input_value = _listing(  # type: ignore[method-assign]
                named, named.coerce_input_value
            )
