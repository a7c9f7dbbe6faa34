"""A plan answers exactly as graphql-core's execution does, or not at all.

The schema of `test_leaf_objects.py` (tests/support/leaf_schema.py), its queries run by
strawberry and by a plan of their document (`query_plans.plan_of`): where strawberry's answer
has no errors the plan's data is the same, byte for byte once encoded; where it has errors the
plan gives None (the caller then takes the whole way); and documents a plan cannot follow
(fragments, directives) get none.
"""

from __future__ import annotations

import orjson
import pytest

from graphql import parse
from services.gateway.execution.query_plans import plan_of
from tests.support.leaf_schema import PLAIN

# (query, whether it gets a plan)
CASES = [
    ("{ answers(n: 50) { vendorId eligible on colour score } }", True),
    ("{ answers(n: 5) { __typename id: vendorId again: vendorId colour } }", True),
    ("{ answers(n: 5) { vendorId shout } }", True),  # a resolver field, called by the plan
    ("{ answers(n: 5) { vendorId ... on Answer { eligible } } }", False),
    ("{ answers(n: 5) { vendorId on @include(if: false) } }", False),
    ("{ maybe { vendorId on } }", True),
    ("{ broken { vendorId eligible } }", True),  # a null for a non-null: an error
    ("{ refused { vendorId score } }", True),  # a value Float refuses: an error
    ("{ one { vendorId colour on } two: one { eligible } }", True),
    ("{ answers(n: 0) { vendorId } }", True),
    ("{ __typename }", False),
]


@pytest.mark.parametrize(("query", "planned"), CASES)
async def test_a_plan_answers_as_graphql_core_or_not_at_all(query: str, planned: bool) -> None:
    expected = await PLAIN.execute(query)
    plan = plan_of(PLAIN._schema, parse(query))
    assert (plan is not None) == planned
    if plan is None:
        return
    data = await plan.run(
        PLAIN._schema, PLAIN.execution_context_class, None, None, None, None, None
    )
    if expected.errors:
        assert data is None
    else:
        assert orjson.dumps(data) == orjson.dumps(expected.data)
