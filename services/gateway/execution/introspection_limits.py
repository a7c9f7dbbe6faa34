"""Limits for introspection queries, which the ordinary depth limit does not count.

strawberry's depth limiter skips every `__` field, so `__schema { types { fields { type {
fields { … } } } } }` would walk the whole schema once per level. Two rules bound it instead:

- depth: an introspection selection may nest at most `max_depth` levels, enough for the
  standard query GraphiQL and graphql-core send (its `ofType` chain reaches 15), which only
  grows linearly with depth;
- fan-out: the fields that list a type's members (`types`, `fields`, `args`, …) may each
  appear once on a path; nested in themselves they multiply the answer by the schema's size
  at every level, and no standard query nests them so. (graphql-core's own rule allows some
  such nesting, of four of these fields only.)

The walk follows every fragment spread, so it runs only on a document within the size limit
(document_limits.py, whose rule refuses the others).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from services.gateway.execution.document_limits import selections_within

# The standard introspection query (graphql-core's get_introspection_query) nests 15 levels.
MAX_INTROSPECTION_DEPTH = 15
INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
MEMBER_LISTS = frozenset(
    {"types", "fields", "inputFields", "interfaces", "possibleTypes", "enumValues", "args"}
)


def introspection_rule(max_depth: int, max_selections: int) -> type[ValidationRule]:
    class IntrospectionLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.bounded = selections_within(context.document, max_selections)

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            if not self.bounded:
                return
            problem = self._walk(node.selection_set, 0, (), False, frozenset())
            if problem is not None:
                self.report_error(GraphQLError(problem, node))

        def _walk(
            self,
            selections: SelectionSetNode,
            depth: int,
            members: tuple[str, ...],
            inside: bool,
            spreads: frozenset[str],
        ) -> str | None:
            for selection in selections.selections:
                problem: str | None = None
                if isinstance(selection, FieldNode):
                    problem = self._field(selection, depth, members, inside, spreads)
                elif isinstance(selection, InlineFragmentNode):
                    problem = self._walk(selection.selection_set, depth, members, inside, spreads)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.context.get_fragment(name)
                    # A cycle of fragments is another rule's error: do not follow it.
                    if fragment is not None and name not in spreads:
                        problem = self._walk(
                            fragment.selection_set, depth, members, inside, spreads | {name}
                        )
                if problem is not None:
                    return problem
            return None

        def _field(
            self,
            field: FieldNode,
            depth: int,
            members: tuple[str, ...],
            inside: bool,
            spreads: frozenset[str],
        ) -> str | None:
            name = field.name.value
            # Introspection starts at the root; ordinary fields are the depth limiter's.
            if not inside and (depth > 0 or name not in INTROSPECTION_ROOTS):
                return None
            if depth + 1 > max_depth:
                return f"introspection query exceeds the maximum depth of {max_depth}"
            if name in MEMBER_LISTS:
                if name in members:
                    return f"introspection may not nest `{name}` within `{name}`"
                members = (*members, name)
            if field.selection_set is None:
                return None
            return self._walk(field.selection_set, depth + 1, members, True, spreads)

    return IntrospectionLimits
