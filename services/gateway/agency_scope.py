"""A system owner asking for another agency's records by name is refused before anything runs.

The resolvers show a system owner only its own agencies' records in any case
(services/platform/access.py); naming another agency outright (`contracts(agency: "B")`)
is refused with the reason rather than answered with an empty list that would look like
"agency B has no contracts". Like the role check, this is a GraphQL validation rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strawberry.extensions import SchemaExtension

from graphql import (
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    StringValueNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
)
from services.platform.access import agencies_in_view

# (type, field) whose `agency` argument selects agency-owned records.
SCOPED_FIELDS = frozenset(
    {
        ("Query", "contracts"),
        ("Vendor", "contracts"),
        ("Query", "migrationPlans"),
        # Ranks the vendors holding that agency's contracts: it tells who they are.
        ("Query", "riskiestVendors"),
    }
)


def _rule(agencies: tuple[str, ...], variables: Mapping[str, Any]) -> type[ValidationRule]:
    class AgencyRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            # The variables' defaults in the operation, for those the request left out.
            self.defaults: dict[str, ValueNode | None] = {}

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            self.defaults = {
                d.variable.name.value: d.default_value for d in node.variable_definitions or ()
            }

        def _value(self, node: ValueNode) -> Any:
            if isinstance(node, VariableNode):
                name = node.name.value
                if name in variables:
                    return variables[name]
                default = self.defaults.get(name)
                return self._value(default) if default is not None else None
            return node.value if isinstance(node, StringValueNode) else None

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = self.context.get_parent_type()
            if parent is None or (parent.name, node.name.value) not in SCOPED_FIELDS:
                return
            for argument in node.arguments or ():
                agency = self._value(argument.value) if argument.name.value == "agency" else None
                if isinstance(agency, str) and agency not in agencies:
                    mine = ", ".join(agencies) or "none"
                    self.report_error(
                        GraphQLError(
                            f"agency {agency!r} is not one of your agencies ({mine})", argument
                        )
                    )

    return AgencyRule


class AgencyScope(SchemaExtension):
    """Refuses, before anything runs, an `agency` argument outside the caller's agencies."""

    def on_validate(self):  # type: ignore[no-untyped-def]
        context = self.execution_context.context
        agencies = agencies_in_view(getattr(context, "principal", None))
        if agencies is not None:
            variables = self.execution_context.variables or {}
            rules = self.execution_context.validation_rules
            self.execution_context.validation_rules = (*rules, _rule(agencies, variables))
        yield
