"""Custom GraphQL scalars of the gateway.

``DATE`` replaces strawberry's built-in ``Date`` for ``datetime.date``: it is always returned
as ISO 8601 and accepts, as a literal or a variable, ISO or a Japanese era date (see
``services.registry.domain.era_dates``). Use it as ``scalar_overrides={datetime.date: DATE}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition

from graphql import GraphQLError, StringValueNode, ValueNode
from services.registry.domain.era_dates import InvalidDate, parse_date

__all__ = ["DATE", "DATE_DESCRIPTION"]

DATE_DESCRIPTION = (
    "ISO 8601 date (2022-11-28) or a Japanese era date (令和4年11月28日, R4.11.28); "
    "always returned as ISO"
)


def _serialize(value: object) -> str:
    # A datetime is a date too; writing one as a Date would silently drop its time and zone.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"Date cannot represent {value!r}: expected a datetime.date")
    return value.isoformat()


def _parse_value(value: object) -> dt.date:
    if not isinstance(value, str):
        raise GraphQLError(f"Date cannot represent {value!r}: expected a string")
    try:
        return parse_date(value)
    except InvalidDate as error:
        # A GraphQLError keeps its message as is: clients see the InvalidDate message.
        raise GraphQLError(str(error)) from error


def _parse_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> dt.date:
    if not isinstance(node, StringValueNode):
        raise GraphQLError('Date must be given as a string, e.g. "2022-11-28"', node)
    return _parse_value(node.value)


DATE: ScalarDefinition = strawberry.scalar(
    name="Date",
    description=DATE_DESCRIPTION,
    serialize=_serialize,
    parse_value=_parse_value,
    parse_literal=_parse_literal,
)
