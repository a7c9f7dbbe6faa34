"""A system owner asking for another agency's records by name is refused before anything runs.

The resolvers show a system owner only its own agencies' records in any case
(services/platform/security/access.py); naming another agency outright (`contracts(agency: "B")`)
is refused with the reason rather than answered with an empty list that would look like
"agency B has no contracts". Like the role check, it runs with validation
(document_checks.py), before anything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import ArgumentNode, GraphQLError, StringValueNode, ValueNode, VariableNode
from services.platform.error_codes import ErrorCode
from services.platform.graphql.scope_names import as_stored
from services.platform.wording import quoted

# (type, field) whose `agency` argument selects agency-owned records.
SCOPED_FIELDS = frozenset(
    {
        ("Query", "contracts"),
        ("Vendor", "contracts"),
        ("Query", "migrationPlans"),
        # Ranks the vendors holding that agency's contracts: it tells who they are.
        ("Query", "riskiestVendors"),
        # Watchlists and alerts are an agency's own.
        ("Query", "watchlists"),
        ("Query", "alerts"),
        ("Subscription", "alerts"),
        ("Mutation", "saveWatchlist"),
    }
)


@dataclass(frozen=True)
class ScopedArgument:
    """An `agency` argument of an agency-owned field in a document, with the defaults of its
    operation's variables (for those a request leaves out)."""

    argument: ArgumentNode
    defaults: Mapping[str, ValueNode | None]

    def value(self, variables: Mapping[str, Any]) -> Any:
        return self._value(self.argument.value, variables)

    def _value(self, node: ValueNode, variables: Mapping[str, Any]) -> Any:
        if isinstance(node, VariableNode):
            name = node.name.value
            if name in variables:
                return variables[name]
            default = self.defaults.get(name)
            return self._value(default, variables) if default is not None else None
        return node.value if isinstance(node, StringValueNode) else None


def agency_errors(
    agencies: tuple[str, ...], scoped: Iterable[ScopedArgument], variables: Mapping[str, Any]
) -> list[GraphQLError]:
    """An error at each `agency` argument naming an agency outside the caller's."""
    errors = []
    for found in scoped:
        agency = found.value(variables)
        # Compared as stored (trimmed), as the resolvers read it; a blank one is theirs to
        # refuse.
        named = as_stored(agency) if isinstance(agency, str) else ""
        if named and named not in agencies:
            mine = ", ".join(agencies) or "none"
            errors.append(
                GraphQLError(
                    f"agency {quoted(agency)} is not one of your agencies ({mine})",
                    found.argument,
                    extensions={"code": ErrorCode.FORBIDDEN.value},
                )
            )
    return errors
