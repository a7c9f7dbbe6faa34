"""The items of the list arguments that each cost a unit of work, counted over a whole request.

`bidEligibilityMany(vendorIds:)` and `screenBidders(bidders:)` screen at most 5,000 bidders a
call, `saveWatchlist(vendorIds:, identifiers:)` looks up and saves at most 5,000 vendors a list
and `nodes(ids:)` fetches at most 100 objects: limits of one field, which aliases
multiplied (30 aliases, the alias limit, of a 5,000-bidder screen: 150,000 bidders in one
request of 62 KB, answered with 9.3 MB after 3–6 s; 30 screens of 5,000 by name ran into the
time limit, the process, consumers included in embedded mode, stalled 20 s; 30 saves of a
5,000-vendor watchlist looked up 150,000 ids and recorded 30 events of 5,000 vendors each for
the alerts service to apply). So the items are counted across the request's fields: the
bidders of every screening field together, the vendors of every `saveWatchlist` (its ids and
its identifiers) together, the ids of every `nodes` together, each total held to the one
field's limit. They are counted from
the document and the request's variables (the operation's defaults for those left out) with
the other checks of the caller (document_checks.py), before anything runs; more is a request
error naming the limit (BAD_REQUEST). One field over the limit alone keeps its own refusal
(its resolver's, naming its argument).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    ListValueNode,
    NullValueNode,
    ValueNode,
    VariableNode,
)
from services.events.alerts import MAX_WATCHED
from services.platform.error_codes import ErrorCode
from services.platform.graphql.nodes import MAX_IDS
from services.platform.wording import plural
from services.registry.reads.queries import MAX_BATCH


@dataclass(frozen=True)
class Budget:
    """What a request's items of some fields are counted as, and how many it may give."""

    items: str  # the noun, singular: "bidder"
    limit: int


SCREENED = Budget("bidder", MAX_BATCH)
WATCHED = Budget("watched vendor", MAX_WATCHED)
FETCHED = Budget("global id", MAX_IDS)
# (type, field) → its list arguments whose items count, and the budget they count against.
BATCH_FIELDS: dict[tuple[str, str], tuple[tuple[str, ...], Budget]] = {
    ("Query", "bidEligibilityMany"): (("vendorIds",), SCREENED),
    ("Query", "screenBidders"): (("bidders",), SCREENED),
    ("Mutation", "saveWatchlist"): (("vendorIds", "identifiers"), WATCHED),
    ("Query", "nodes"): (("ids",), FETCHED),
}


@dataclass(frozen=True)
class BatchArgument:
    """A batch field in a document, with its list arguments' values as written and the
    defaults of its operation's variables (for those a request leaves out)."""

    field: FieldNode
    budget: Budget
    values: tuple[ValueNode | None, ...]
    defaults: Mapping[str, ValueNode | None]

    def count(self, variables: Mapping[str, Any]) -> int:
        return sum(self._count(value, variables) for value in self.values)

    def _count(self, node: ValueNode | None, variables: Mapping[str, Any]) -> int:
        if isinstance(node, VariableNode):
            name = node.name.value
            if name not in variables:
                return self._count(self.defaults.get(name), variables)
            given = variables[name]
            return len(given) if isinstance(given, list) else int(given is not None)
        if isinstance(node, ListValueNode):
            return len(node.values)
        # Absent or null: none; one value for a list is taken as a list of it.
        return int(node is not None and not isinstance(node, NullValueNode))


def batch_errors(
    found: Iterable[BatchArgument], variables: Mapping[str, Any]
) -> list[GraphQLError]:
    """An error per budget that the request's fields, two or more, exceed together."""
    by_budget: dict[Budget, list[tuple[BatchArgument, int]]] = {}
    for argument in found:
        by_budget.setdefault(argument.budget, []).append((argument, argument.count(variables)))
    errors = []
    for budget, counted in by_budget.items():
        total = sum(n for _, n in counted)
        if len(counted) < 2 or total <= budget.limit:
            continue
        fields = sorted({a.field.name.value for a, _ in counted})
        errors.append(
            GraphQLError(
                f"{plural(total, budget.items, grouped=True)} in one request, over"
                f" {len(counted)} fields ({', '.join(fields)}); the limit is"
                f" {budget.limit:,} a request, however many fields or aliases ask",
                [a.field for a, _ in counted],
                extensions={"code": ErrorCode.BAD_REQUEST.value},
            )
        )
    return errors
