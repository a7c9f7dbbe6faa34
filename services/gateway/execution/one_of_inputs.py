"""`@oneOf` inputs refused as graphql-core refuses any value it cannot coerce.

strawberry declares them `@oneOf` in the SDL but checks them only in its own `out_type`, which
raises without the variable's name or the path of the input (`{"v": {}}` came back as "OneOf
Input Object 'VendorRefInput' must specify exactly one key.", coded BAD_REQUEST, naming
nothing). graphql-core checks an input type marked `is_one_of` itself: a variable is then
refused as any other ("Variable '$v' got invalid value {}; Exactly one key must be specified
for OneOf type 'VendorRefInput'.", BAD_USER_INPUT), at its path inside a larger input too."""

from __future__ import annotations

from graphql import GraphQLInputObjectType, GraphQLSchema

_DEFINITION = "strawberry-definition"


def mark_one_of_inputs(schema: GraphQLSchema) -> None:
    """Marks the input types strawberry declares `@oneOf` as such for graphql-core."""
    for named in schema.type_map.values():
        if isinstance(named, GraphQLInputObjectType):
            definition = named.extensions.get(_DEFINITION)
            if getattr(definition, "is_one_of", False):
                named.is_one_of = True
