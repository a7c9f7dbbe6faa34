"""The public GraphQL schema describes itself: every type, field, argument, enum value and
input field has a description, and what a client sends is described in the names it sends
(camelCase), not in the event contract's snake_case (the raw JSON of submitEvent aside)."""

from __future__ import annotations

import re

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    specified_scalar_types,
)
from graphql import build_schema as parse_sdl
from services.gateway.http.protection import Limits
from services.gateway.schema import build_schema


def _schema() -> GraphQLSchema:
    # The schema exactly as served and exported (graphql/schema.graphql).
    return build_schema(Limits())._schema


def _public_types(schema: GraphQLSchema) -> list[str]:
    return sorted(
        name
        for name in schema.type_map
        if not name.startswith("__") and name not in specified_scalar_types
    )


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Every public element without a (non-blank) description, as `kind Type.element`."""
    missing: list[str] = []

    def check(kind: str, where: str, description: str | None) -> None:
        if not (description or "").strip():
            missing.append(f"{kind} {where}")

    for name in _public_types(schema):
        t = schema.type_map[name]
        check("type", name, t.description)
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in t.fields.items():
                check("field", f"{name}.{field_name}", field.description)
                for arg_name, arg in field.args.items():
                    check("argument", f"{name}.{field_name}({arg_name})", arg.description)
        elif isinstance(t, GraphQLInputObjectType):
            for field_name, field in t.fields.items():
                check("input field", f"{name}.{field_name}", field.description)
        elif isinstance(t, GraphQLEnumType):
            for value_name, value in t.values.items():
                check("enum value", f"{name}.{value_name}", value.description)
    return missing


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


# Descriptions that speak of the event contract's own JSON, whose keys are snake_case:
# submitEvent takes the envelope exactly as producers send it to the raw topic.
JSON_CONTRACT = frozenset({"Mutation.submitEvent"})


def snake_case_names(schema: GraphQLSchema) -> list[str]:
    """Descriptions that name a field or argument in snake_case when clients send and read it
    in camelCase: those of input types and input fields above all, and any other but the
    JSON contract's (JSON_CONTRACT)."""
    camel: set[str] = set()
    for name in _public_types(schema):
        t = schema.type_map[name]
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in t.fields.items():
                camel.add(field_name)
                camel.update(getattr(field, "args", {}))
    snake = {_snake(n): n for n in camel if _snake(n) != n}
    found: list[str] = []

    def check(where: str, description: str | None) -> None:
        if where in JSON_CONTRACT:
            return
        for word in re.findall(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", description or ""):
            if word in snake:
                found.append(f"{where}: {word!r} (clients use {snake[word]!r})")

    for name in _public_types(schema):
        t = schema.type_map[name]
        check(name, t.description)
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in t.fields.items():
                check(f"{name}.{field_name}", field.description)
                for arg_name, arg in getattr(field, "args", {}).items():
                    check(f"{name}.{field_name}({arg_name})", arg.description)
        elif isinstance(t, GraphQLEnumType):
            for value_name, value in t.values.items():
                check(f"{name}.{value_name}", value.description)
    return found


def test_every_public_element_is_described() -> None:
    missing = undescribed(_schema())
    assert not missing, f"{len(missing)} elements of the schema have no description:\n" + (
        "\n".join(missing)
    )


def test_descriptions_use_the_names_clients_send() -> None:
    found = snake_case_names(_schema())
    assert not found, "descriptions name snake_case fields:\n" + "\n".join(found)


def test_the_checks_see_what_they_look_for() -> None:
    # A schema with one undescribed field and one snake_case argument description is caught.
    sdl = """
    "Q" type Query {
      "f" f("a: see start_date" a: In): Int
      g: Int
    }
    "In" input In { "d" startDate: String }
    """
    schema = parse_sdl(sdl)
    assert undescribed(schema) == ["field Query.g"]
    assert snake_case_names(schema) == ["Query.f(a): 'start_date' (clients use 'startDate')"]
