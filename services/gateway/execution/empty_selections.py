"""A selection set that selects nothing is refused, naming whose it is.

graphql-core 3.3 accepts `{ }` and `vendor(vendorId: "v") { }` (a proposed change to the
specification); strawberry's depth limiter then failed on it with a Python message. An empty
selection asks for nothing a client could want, and a client that sends one has lost its
fields on the way (a template, a generator): it is told so, as a document error.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)


class EmptySelections(ValidationRule):
    def enter_selection_set(self, node: SelectionSetNode, _key: Any, parent: Any, *_: Any) -> None:
        if not node.selections:
            self.report_error(
                GraphQLError(
                    f"{_whose(parent)} selects nothing: a selection set needs at least one field",
                    node,
                )
            )


def _whose(owner: Node) -> str:
    if isinstance(owner, FieldNode):
        return f"field `{owner.name.value}`"
    if isinstance(owner, FragmentDefinitionNode):
        return f"fragment `{owner.name.value}`"
    if isinstance(owner, OperationDefinitionNode):
        name = f" `{owner.name.value}`" if owner.name else ""
        return f"the {owner.operation.value}{name}"
    return "an inline fragment"
