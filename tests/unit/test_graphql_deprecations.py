"""Every deprecation says what to give instead, and that is not deprecated itself: a client
following `bidEligibility.vendorId`'s reason to `vendor: {id: …}` met another deprecation."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_named_type,
)
from services.gateway.http.protection import Limits
from services.gateway.schema import build_schema

# "give `vendor` instead (`vendor: {vendorId: …}`)": the sibling, then a field of its input.
_INSTEAD = re.compile(r"give `(\w+)` instead")
_NESTED = re.compile(r"`(\w+): \{(\w+):")

Element = GraphQLArgument | GraphQLInputField | GraphQLField


def _deprecated() -> Iterator[tuple[str, str, Mapping[str, Element]]]:
    """(where, reason, its siblings) of every deprecated field, argument and input field."""
    schema = build_schema(Limits())._schema
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLInputObjectType):
            for name, field in type_.fields.items():
                if field.deprecation_reason:
                    yield f"{type_.name}.{name}", field.deprecation_reason, type_.fields
        if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)):
            for field_name, field in type_.fields.items():
                if field.deprecation_reason:
                    yield f"{type_.name}.{field_name}", field.deprecation_reason, type_.fields
                for name, argument in field.args.items():
                    if argument.deprecation_reason:
                        where = f"{type_.name}.{field_name}({name})"
                        yield where, argument.deprecation_reason, field.args


def test_every_deprecation_points_to_something_not_deprecated() -> None:
    wrong: list[str] = []
    found = list(_deprecated())
    assert found  # the check below is of something
    for where, reason, siblings in found:
        [instead] = _INSTEAD.findall(reason) or [None]
        given = siblings.get(instead) if instead else None
        if given is None or given.deprecation_reason:
            wrong.append(f"{where}: {reason!r} names no current sibling")
            continue
        for outer, inner in _NESTED.findall(reason):
            input_type = get_named_type(siblings[outer].type)
            field = (
                input_type.fields.get(inner)
                if isinstance(input_type, GraphQLInputObjectType)
                else None
            )
            if field is None or field.deprecation_reason:
                wrong.append(f"{where}: {reason!r}: {outer}.{inner} is not a current field")
    assert wrong == []
