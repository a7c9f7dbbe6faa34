"""Custom GraphQL scalars of the gateway.

``DATE`` replaces strawberry's built-in ``Date`` for ``datetime.date``: it is always returned
as ISO 8601 and accepts, as a literal or a variable, ISO or a Japanese era date (see
``services.registry.domain.era_dates``). Use it as ``scalar_overrides={datetime.date: DATE}``.

``AMOUNT`` (for ``Amount``) is what the event inputs take for an amount of money: GraphQL's
``Int`` is 32 bits (up to 2,147,483,647), and a city's contracts and claims run to billions of
yen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from graphql import GraphQLError, IntValueNode, StringValueNode, ValueNode
from services.registry.domain.era_dates import InvalidDate, parse_date

__all__ = ["AMOUNT", "DATE", "DATE_DESCRIPTION", "Amount"]

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


def _amount(value: object) -> int:
    # A number of any size, or its digits as a string (what a JavaScript client can hold
    # exactly past 2**53); the range (0 up to PostgreSQL's bigint) is the event contract's to
    # check, field by field like every other.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise GraphQLError(
        f"Amount cannot represent {value!r}: give an integer, e.g. 3000000000, or its digits"
        ' as a string, "3000000000"'
    )


def _amount_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> int:
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, StringValueNode):
        return _amount(node.value)
    raise GraphQLError('Amount must be an integer, e.g. 3000000000, or a string "3000000000"', node)


# The type the event inputs annotate amounts with; the schema maps it to `AMOUNT`.
Amount = NewType("Amount", int)

AMOUNT: ScalarDefinition = strawberry.scalar(
    name="Amount",
    description="An integer amount in the currency's smallest unit (yen for JPY), given as a"
    ' number or as a string of digits ("3000000000"): unlike Int it may exceed 32 bits.',
    serialize=str,
    parse_value=_amount,
    parse_literal=_amount_literal,
)
