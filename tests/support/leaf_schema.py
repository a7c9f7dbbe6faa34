"""A strawberry schema of stored leaves, as the gateway's execution tests run it: lists and
objects of answers (an enum, dates, nullable fields, a resolver field), some broken or refused
by their types, run by strawberry's own executor (`PLAIN`), for the gateway's to answer as."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import strawberry


@strawberry.enum(description="A colour.")
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type(description="An answer.")
class Answer:
    vendor_id: strawberry.ID
    eligible: bool
    on: dt.date | None
    colour: Colour
    score: float | None

    @strawberry.field
    def shout(self) -> str:
        return str(self.vendor_id).upper()


def _answer(i: int, **changes: Any) -> Answer:
    values: dict[str, Any] = {
        "vendor_id": strawberry.ID(f"v{i}"),
        "eligible": i % 2 == 0,
        "on": dt.date(2024, 1, 1 + i % 28) if i % 3 else None,
        "colour": Colour.RED if i % 2 else Colour.BLUE,
        "score": i / 3 if i % 5 else None,
    }
    return Answer(**(values | changes))


@strawberry.type(description="The root.")
class Query:
    @strawberry.field
    def answers(self, n: int) -> list[Answer]:
        return [_answer(i) for i in range(n)]

    @strawberry.field
    def maybe(self) -> list[Answer | None]:
        return [_answer(0), None, _answer(2)]

    @strawberry.field
    def broken(self) -> list[Answer]:
        return [_answer(0), _answer(1, eligible=None)]

    @strawberry.field
    def refused(self) -> list[Answer]:
        return [_answer(0), _answer(1, score="not a number")]

    @strawberry.field
    def one(self) -> Answer:
        return _answer(3)


PLAIN = strawberry.Schema(query=Query)
