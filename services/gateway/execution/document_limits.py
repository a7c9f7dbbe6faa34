"""The depth, alias and size limits of a document, worked out with each fragment measured once.

strawberry's depth and alias limiters walk a fragment again at every spread of it, so forty
fragments each spreading the one before twice (1.5 KB, ~500 tokens) were walked 2^39 times:
the API's process, and in embedded mode the consumers and jobs sharing its loop, froze for
good (23 fragments: 30 s). Here a fragment's measure is worked out once, after those of the
fragments it spreads, and a spread adds it: the work grows with the document's text.

The size limit counts the selections (fields, spreads, inline fragments) a document holds
with every spread replaced by its fragment. Without fragments a document holds fewer
selections than it has tokens, so the limit, the token limit's, lets fragments shorten a
document but not multiply it. Whatever still walks a document spread out (graphql-core's
execution, the introspection limits, a resolver's `selected_fields`) is bounded by it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)


@dataclass(frozen=True)
class Measure:
    """A selection set spread out: how deep its fields nest (introspection's `__` fields not
    counted, as strawberry's limiter did not), and how many aliases and selections it holds."""

    depth: int = 0
    aliases: int = 0
    selections: int = 0


def operation_measures(document: DocumentNode) -> list[tuple[OperationDefinitionNode, Measure]]:
    """Each operation of `document` with its measure. A spread of a fragment the document
    lacks, or within a cycle of fragments, counts nothing: both are other rules' errors."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measured: dict[str, Measure] = {}
    for name in _spread_first(fragments):
        measured[name] = _measure(fragments[name].selection_set, measured)
    return [
        (d, _measure(d.selection_set, measured))
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]


def selections_within(document: DocumentNode, max_selections: int) -> bool:
    """Whether `document` spread out holds at most `max_selections` selections, so that a walk
    of it spread out is bounded."""
    return sum(m.selections for _, m in operation_measures(document)) <= max_selections


def document_limits_rule(
    max_depth: int, max_aliases: int, max_selections: int
) -> type[ValidationRule]:
    class DocumentLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            measures = operation_measures(context.document)
            for operation, measure in measures:
                if measure.depth > max_depth:
                    name = operation.name.value if operation.name else "anonymous"
                    self.report_error(
                        GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}", operation
                        )
                    )
            selections = sum(m.selections for _, m in measures)
            aliases = sum(m.aliases for _, m in measures)
            if selections > max_selections:
                # The count itself can have hundreds of digits: the limit says enough.
                self.report_error(
                    GraphQLError(
                        f"the document holds more than {max_selections} selections once each"
                        " fragment spread is counted as its fragment's selections (the"
                        " maximum; a fragment spread twice counts twice)"
                    )
                )
            elif aliases > max_aliases:
                # Within the size limit the count is a small number (an alias is a selection).
                self.report_error(GraphQLError(f"{aliases} aliases found. Allowed: {max_aliases}"))

    return DocumentLimits


def _measure(selection_set: SelectionSetNode, measured: dict[str, Measure]) -> Measure:
    """The measure of one selection set, its fragments' taken from `measured` (recursion only
    into the set's own nesting, which the parser bounds)."""
    depth = aliases = selections = 0
    for selection in selection_set.selections:
        inner = Measure()
        if isinstance(selection, FieldNode):
            if selection.selection_set is not None:
                inner = _measure(selection.selection_set, measured)
                if not selection.name.value.startswith("__"):
                    depth = max(depth, inner.depth + 1)
            aliases += selection.alias is not None
        elif isinstance(selection, InlineFragmentNode):
            inner = _measure(selection.selection_set, measured)
            depth = max(depth, inner.depth)
        elif isinstance(selection, FragmentSpreadNode):
            inner = measured.get(selection.name.value, Measure())
            depth = max(depth, inner.depth)
        aliases += inner.aliases
        selections += 1 + inner.selections
    return Measure(depth, aliases, selections)


def _spread_first(fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """The fragments' names, each after those it spreads (cycles broken anywhere). Iterative:
    a chain of a thousand fragments, each spreading the next, is within the token limit."""
    order: list[str] = []
    seen: set[str] = set()
    for first in fragments:
        if first in seen:
            continue
        seen.add(first)
        stack: list[tuple[str, Iterator[str]]] = [(first, _spreads(fragments[first]))]
        while stack:
            name, spreads = stack[-1]
            following = next((s for s in spreads if s in fragments and s not in seen), None)
            if following is None:
                stack.pop()
                order.append(name)
            else:
                seen.add(following)
                stack.append((following, _spreads(fragments[following])))
    return order


def _spreads(node: FragmentDefinitionNode | FieldNode | InlineFragmentNode) -> Iterator[str]:
    """The names of the fragments spread anywhere in `node`'s selection set."""
    if node.selection_set is None:
        return
    for selection in node.selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            yield selection.name.value
        elif isinstance(selection, FieldNode | InlineFragmentNode):
            yield from _spreads(selection)
