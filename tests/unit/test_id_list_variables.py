"""Lists of string IDs taken as given answer exactly as graphql-core's coercion of them.

The same strawberry schema run by strawberry's executor and by one with `IdListVariables`:
every answer (data and errors, their messages and paths) is the same, whether the shortcut
takes a variable or leaves it to graphql-core; and a list of strings is indeed not walked.
"""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql.execution import values

from services.gateway.execution.id_list_variables import IdListVariables


@strawberry.type(description="The root.")
class Query:
    @strawberry.field
    def ids(self, ids: list[strawberry.ID]) -> list[str]:
        return [f"{type(i).__name__}:{i}" for i in ids]

    @strawberry.field
    def maybe(self, ids: list[strawberry.ID | None] | None = None) -> list[str | None] | None:
        return None if ids is None else [None if i is None else str(i) for i in ids]

    @strawberry.field
    def names(self, names: list[str]) -> list[str]:
        return names


PLAIN = strawberry.Schema(query=Query)
FAST = strawberry.Schema(query=Query, execution_context_class=IdListVariables)

BOTH = """query Both($a: [ID!]!, $b: [ID], $n: [String!]!) {
  ids(ids: $a) maybe(ids: $b) names(names: $n) }"""
WITH_DEFAULT = """query ($a: [ID!]! = ["d1", "d2"]) { ids(ids: $a) }"""
TWO = "query First($a: [ID!]!) { ids(ids: $a) } query Second($a: [ID!]!) { other: ids(ids: $a) }"


@pytest.mark.parametrize(
    ("query", "variables", "operation"),
    [
        (BOTH, {"a": ["v1", "v2"], "b": ["x", None], "n": ["n"]}, None),
        (BOTH, {"a": [], "b": [], "n": []}, None),
        (BOTH, {"a": ["v1", 7], "b": None, "n": ["n"]}, None),  # an integer id: coerced
        (BOTH, {"a": ["v1", None], "b": ["x"], "n": ["n"]}, None),  # a null for ID!
        (BOTH, {"a": "v1", "b": "x", "n": "n"}, None),  # a single value for a list
        (BOTH, {"a": ["v1", {"id": 1}], "b": [1.5], "n": ["n"]}, None),
        (BOTH, {"a": ["v1"], "n": [3]}, None),  # another variable's error, $b absent
        (BOTH, {"b": ["x"], "n": ["n"]}, None),  # a required list missing
        (BOTH, {"a": None, "b": ["x"], "n": ["n"]}, None),
        (WITH_DEFAULT, {}, None),
        (WITH_DEFAULT, {"a": ["given"]}, None),
        (TWO, {"a": ["v1"]}, "Second"),
        (TWO, {"a": ["v1"]}, None),  # no operation named
    ],
)
def test_answers_are_graphql_cores(
    query: str, variables: dict[str, Any], operation: str | None
) -> None:
    plain = PLAIN.execute_sync(query, variable_values=variables, operation_name=operation)
    fast = FAST.execute_sync(query, variable_values=variables, operation_name=operation)
    assert fast.data == plain.data
    assert [e.formatted for e in fast.errors or ()] == [e.formatted for e in plain.errors or ()]


def test_a_list_of_string_ids_is_not_coerced_item_by_item(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    walked: list[Any] = []
    coerce = values.coerce_input_value  # type: ignore[attr-defined]

    def spied(value: Any, type_: Any) -> Any:
        walked.append(value)
        return coerce(value, type_)

    monkeypatch.setattr(values, "coerce_input_value", spied)
    ids = [f"vendor-{i}" for i in range(5000)]
    result = FAST.execute_sync(BOTH, variable_values={"a": ids, "b": None, "n": ["n"]})
    assert result.errors is None and result.data is not None
    assert result.data["ids"] == [f"str:{i}" for i in ids]
    assert ids not in walked and ["n"] in walked  # the string list is graphql-core's
