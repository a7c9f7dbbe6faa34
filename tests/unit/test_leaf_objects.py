"""Objects of stored leaves completed in one loop answer exactly as graphql-core's execution.

The same strawberry schema run twice, by strawberry's executor and by the gateway's
(`LeafObjectsExecutor`): every answer, data and errors (their messages and paths), is the
same, for the lists and objects the shortcut completes and for those it hands back.
"""

from __future__ import annotations

import pytest
import strawberry

from services.gateway.execution.leaf_objects import LeafObjectsExecutor
from tests.support.leaf_schema import PLAIN, Query

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
