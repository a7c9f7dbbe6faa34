"""Objects of stored leaves completed in one loop answer exactly as graphql-core's execution.

The same strawberry schema run twice, by strawberry's executor and by the gateway's
(`LeafObjectsExecutor`): every answer, data and errors (their messages and paths), is the
same, for the lists and objects the shortcut completes and for those it hands back.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import pytest
import strawberry

from services.gateway.execution.leaf_objects import LeafObjectsExecutor


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
FAST = strawberry.Schema(query=Query, execution_context_class=LeafObjectsExecutor)


@pytest.mark.parametrize(
    "query",
    [
        "{ answers(n: 50) { vendorId eligible on colour score } }",
        "{ answers(n: 5) { __typename id: vendorId again: vendorId colour } }",
        "{ answers(n: 5) { vendorId shout } }",  # a resolver: graphql-core's way
        "{ answers(n: 5) { vendorId ... on Answer { eligible } } }",
        "{ answers(n: 5) { vendorId on @include(if: false) } }",
        "{ maybe { vendorId on } }",
        "{ broken { vendorId eligible } }",
        "{ refused { vendorId score } }",
        "{ one { vendorId colour on } }",
        "{ answers(n: 0) { vendorId } }",
    ],
)
async def test_the_same_answer_as_graphql_core(query: str) -> None:
    plain, fast = await PLAIN.execute(query), await FAST.execute(query)
    assert fast.data == plain.data
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in plain.errors or []]
    assert plain.data is not None or plain.errors  # each case answers something
