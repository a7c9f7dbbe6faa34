"""Custom GraphQL scalars of the gateway.

``DATE`` replaces strawberry's built-in ``Date`` for ``datetime.date``: it is always returned
as ISO 8601 and accepts, as a literal or a variable, ISO or a Japanese era date (see
``services.registry.domain.era_dates``). Use it as ``scalar_overrides={datetime.date: DATE}``.

``AMOUNT`` (for ``Amount``) is what the event inputs take for an amount of money: GraphQL's
``Int`` is 32 bits (up to 2,147,483,647), and a city's contracts and claims run to billions of
yen.

``DATETIME`` is strawberry's ``DateTime`` with a literal refused as the others' are, and a
moment without its UTC offset refused (strawberry read it in the process's zone).

A value written in the document (a literal) that a scalar refuses is refused at its place in
the document, saying the type expected (``_refused_literal``), with the code its value gets as a
variable: graphql-core reports the GraphQLError a scalar raises for a literal as it is, and one
without the node has no location, one without an original error reads as a malformed document
(BAD_REQUEST, ``gateway/execution/errors.py``) where the same value in a variable is a value
refused (BAD_USER_INPUT).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any, NewType

import dateutil.parser
import strawberry
from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition

from graphql import GraphQLError, IntValueNode, StringValueNode, ValueNode, print_ast
from services.platform.graphql.errors import InvalidArgument
from services.registry.domain.era_dates import InvalidDate, parse_day, within_years

__all__ = ["AMOUNT", "DATE", "DATETIME", "DATE_DESCRIPTION", "Amount"]

DATE_DESCRIPTION = (
    "ISO 8601 date (2022-11-28) or a Japanese era date (令和4年11月28日, R4.11.28), in the"
    " years 1868–2999; always returned as ISO"
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
        return parse_day(value)
    except InvalidDate as error:
        # A GraphQLError keeps its message as is: clients see the InvalidDate message.
        raise GraphQLError(str(error)) from error


def _refused_literal(type_name: str, node: ValueNode, error: Exception) -> GraphQLError:
    """The refusal of a literal: at the node, naming the type expected, with why (`error`, a
    client's error, which gives it the code a variable's refusal has)."""
    return GraphQLError(
        f"Expected value of type '{type_name}', not {error}", node, original_error=error
    )


def _parse_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> dt.date:
    if not isinstance(node, StringValueNode):
        given = InvalidArgument(f'{print_ast(node)}: give a string, e.g. "2022-11-28"')
        raise _refused_literal("Date", node, given)
    try:
        return parse_day(node.value)
    except InvalidDate as error:
        raise _refused_literal("Date", node, error) from error


DATE: ScalarDefinition = strawberry.scalar(
    name="Date",
    description=DATE_DESCRIPTION,
    serialize=_serialize,
    parse_value=_parse_value,
    parse_literal=_parse_literal,
)


_AMOUNT_FORMS = 'give an integer, e.g. 3000000000, or its digits as a string, "3000000000"'


def _digits(text: str) -> int | None:
    # A sign read as an integer's: "-5" is refused at its field for its range, as -5 is,
    # rather than told to "give an integer".
    unsigned = text.removeprefix("-")
    return int(text) if unsigned.isascii() and unsigned.isdigit() else None


def _amount(value: object) -> int:
    # A number of any size, or its digits as a string (what a JavaScript client can hold
    # exactly past 2**53); the range (0 up to PostgreSQL's bigint) is the event contract's to
    # check, field by field like every other.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    amount = _digits(value) if isinstance(value, str) else None
    if amount is None:
        raise GraphQLError(f"Amount cannot represent {value!r}: {_AMOUNT_FORMS}")
    return amount


def _amount_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> int:
    if isinstance(node, IntValueNode):
        return int(node.value)
    amount = _digits(node.value) if isinstance(node, StringValueNode) else None
    if amount is None:
        given = InvalidArgument(f"{print_ast(node)}: {_AMOUNT_FORMS}")
        raise _refused_literal("Amount", node, given)
    return amount


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


def _datetime_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> dt.datetime:
    if not isinstance(node, StringValueNode):
        given = InvalidArgument(
            f'{print_ast(node)}: give a string, e.g. "2026-12-04T09:00:00+09:00"'
        )
        raise _refused_literal("DateTime", node, given)
    try:  # strawberry's parser of a DateTime's variable, and so its readings
        moment = dateutil.parser.isoparse(node.value)
    except ValueError as error:
        raise _refused_literal(
            "DateTime", node, InvalidArgument(f"{print_ast(node)}: {error}")
        ) from error
    try:
        return within_years(_with_offset(moment, node.value))
    except (InvalidArgument, InvalidDate) as error:
        raise _refused_literal("DateTime", node, error) from error


_DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _with_offset(moment: dt.datetime, given: object) -> dt.datetime:
    """The moment, if it says its offset from UTC: one without was read in the deployment's
    zone (Asia/Tokyo), so `knownAt: "2026-12-05T07:45:00"` answered nine hours off what the
    client meant in UTC, silently. Raises InvalidArgument (a client's error) otherwise."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        if isinstance(given, str) and _DAY_ONLY.fullmatch(given.strip()):
            # A day is not a moment: which of its instants, in which zone, is the client's
            # to say (the start of the day in Japan is not the start of the day in UTC).
            raise InvalidArgument(
                f"{given}, a date without a time: give a timestamp with its UTC offset,"
                f" e.g. {given.strip()}T00:00:00+09:00"
            )
        raise InvalidArgument(
            f"{given} without a UTC offset: give one, e.g. 2026-12-05T07:45:00Z or"
            " 2026-12-05T16:45:00+09:00"
        )
    return moment


# strawberry's parser of a DateTime's variable, which refuses what it cannot read.
_STRAWBERRY_DATETIME = wrap_parser(dateutil.parser.isoparse, "DateTime")


def _datetime_value(value: object) -> dt.datetime:
    moment = _STRAWBERRY_DATETIME(value)
    if not isinstance(moment, dt.datetime):
        raise GraphQLError(f"DateTime cannot represent {value!r}")
    try:
        return within_years(_with_offset(moment, value))
    except (InvalidArgument, InvalidDate) as error:
        raise GraphQLError(str(error)) from error


DATETIME: ScalarDefinition = dataclasses.replace(
    DateTimeDefinition,
    description="ISO 8601 date with time and its UTC offset (2026-12-05T07:45:00Z,"
    " 2026-12-05T16:45:00+09:00); one without an offset is refused, never read in a zone",
    parse_value=_datetime_value,
    parse_literal=_datetime_literal,
)
