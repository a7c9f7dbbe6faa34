"""Descriptions the schema shares: the paging arguments, and enums described value by value.

Every type, field, argument, enum value and input field of the public schema has a description
(tests/unit/test_graphql_schema_descriptions.py); these are the ones many fields repeat."""

from __future__ import annotations

from collections.abc import Mapping
from enum import EnumMeta
from typing import Annotated, TypeVar

import strawberry

E = TypeVar("E", bound=EnumMeta)

AFTER = (
    "The cursor after which the page starts: the previous page's `pageInfo.endCursor`;"
    " omit it for the first page."
)
WAIT = (
    "Answer only once the services have applied the event or refused it (or once it has waited"
    " 10 seconds for them, after the event was checked and recorded: under load, a rebuild or"
    " an import, the answer may take longer; `processingTimedOut` then says the wait ran out),"
    " with the outcome in `processing`; false answers as soon as the log holds it."
)

IDEMPOTENCY_KEY = (
    "Makes a retry safe: a key of your choosing (1–200 printable characters, a UUID will do),"
    " new for each event. A request sent again with the same key (after a timeout, a dropped"
    " connection) answers with the event the first one recorded, and records nothing more;"
    " the same key for another event is refused (`reused_key`). Keys are per token subject."
)

After = Annotated[str | None, strawberry.argument(description=AFTER)]
IdempotencyKey = Annotated[str | None, strawberry.argument(description=IDEMPOTENCY_KEY)]
WaitForProcessing = Annotated[bool, strawberry.argument(description=WAIT)]


def first(maximum: int) -> object:
    """The `first` argument's description, for a list of at most `maximum` a page."""
    return strawberry.argument(description=f"How many to return: 1–{maximum}.")


# Annotated[int, First100] etc.: strawberry reads argument descriptions from Annotated.
First100 = first(100)
First500 = first(500)
First5000 = first(5000)


def described_enum(cls: E, *, name: str, description: str, values: Mapping[str, str]) -> E:
    """A Python enum as a GraphQL enum, with a description for it and for each of its values
    (keyed by member name; every member must have one)."""
    # Described in place when the enum is already in use (a generated event input may have
    # wrapped it first): two definitions of one name would be a duplicate type.
    wrapped = cls if hasattr(cls, "__strawberry_definition__") else strawberry.enum(cls, name=name)
    definition = wrapped.__strawberry_definition__  # type: ignore[attr-defined]
    definition.name, definition.description = name, description
    names = {v.name for v in definition.values}
    if names != set(values):
        raise ValueError(f"{name}: values described {sorted(values)}, members {sorted(names)}")
    for value in definition.values:
        value.description = values[value.name]
    return wrapped
