"""Text no read can match, refused in every read's arguments before anything runs.

A NUL or a lone surrogate (platform/graphql/unstorable_text.py) in an argument reached the
database as a fault of ours (asyncpg refuses both), an internal error with a traceback for a
client's typing mistake, through any of the dozens of read fields taking text. The arguments
are checked here once for all of them, with validation (document_checks.py): what a document
writes is checked once per document text, and the variables its read arguments use at each
request, as the role and agency checks are. The mutations' root fields are left to their
receipts, which name such text as a field error of the event (`lone_surrogate`, a pattern).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    ValidationRule,
    ValueNode,
    VariableNode,
    validate,
)
from services.platform.graphql import unstorable_text
from services.platform.graphql.errors import InvalidArgument


@dataclass(frozen=True)
class VariableArgument:
    """A variable a read argument takes (at `place` inside the argument's value)."""

    variable: VariableNode
    argument: str  # `field(argument:)`, the field by its path in the document
    place: str


def _refused(
    argument: str, reason: str, node: Node, variable: str = "", place: str = ""
) -> GraphQLError:
    given = " ".join(filter(None, (variable, f"at {place!r}" if place else "")))
    message = f"{argument} ({given}): {reason}" if given else f"{argument}: {reason}"
    # An InvalidArgument as the original: a value refused (BAD_USER_INPUT), not the document.
    return GraphQLError(message, node, original_error=InvalidArgument(message))


def read_arguments(
    schema: GraphQLSchema, document: DocumentNode
) -> tuple[tuple[GraphQLError, ...], tuple[VariableArgument, ...]]:
    """The refusals of what the document writes in read arguments (and in the defaults of its
    queries' and subscriptions' variables), and the variables those arguments take."""
    errors: list[GraphQLError] = []
    variables: list[VariableArgument] = []
    mutation = schema.mutation_type

    class Collect(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            if node.operation is OperationType.MUTATION:
                return
            for definition in node.variable_definitions or ():
                name = f"${definition.variable.name.value}"
                if definition.default_value is not None:
                    for place, text in _texts(definition.default_value, ""):
                        reason = unstorable_text.why(text.value)
                        if reason is not None:
                            errors.append(_refused(f"default of {name}", reason, text, place=place))

        def enter_argument(
            self, node: ArgumentNode, _key: Any, _parent: Any, _path: Any, ancestors: list[Any]
        ) -> None:
            parent = self.context.get_parent_type()
            if parent is None or parent is mutation:
                return
            fields = [a for a in ancestors if isinstance(a, FieldNode)]
            path = ".".join((f.alias or f.name).value for f in fields)
            argument = f"{path}({node.name.value}:)"
            for place, value in _values(node.value, ""):
                if isinstance(value, VariableNode):
                    variables.append(VariableArgument(value, argument, place))
                elif (reason := unstorable_text.why(value.value)) is not None:
                    errors.append(_refused(argument, reason, value, place=place))

    validate(schema, document, [Collect])
    return tuple(errors), tuple(variables)


def _values(node: ValueNode, place: str) -> Iterator[tuple[str, VariableNode | StringValueNode]]:
    """The variables and texts written in a value, each with its dotted place in it."""
    if isinstance(node, (VariableNode, StringValueNode)):
        yield place, node
    elif isinstance(node, ListValueNode):
        for index, item in enumerate(node.values):
            yield from _values(item, f"{place}.{index}" if place else str(index))
    elif isinstance(node, ObjectValueNode):
        for field in node.fields:
            name = field.name.value
            yield from _values(field.value, f"{place}.{name}" if place else name)


def _texts(node: ValueNode, place: str) -> Iterator[tuple[str, StringValueNode]]:
    for where, value in _values(node, place):
        if isinstance(value, StringValueNode):
            yield where, value


def variable_errors(
    arguments: Iterable[VariableArgument], variables: Mapping[str, Any]
) -> list[GraphQLError]:
    """A refusal of each variable (once) given text no read can match, at the first read
    argument that takes it."""
    errors = []
    seen: set[str] = set()
    for found in arguments:
        name = found.variable.name.value
        if name in seen or name not in variables:
            continue
        seen.add(name)
        unstorable = unstorable_text.find(variables[name])
        if unstorable is not None:
            inner, reason = unstorable
            place = ".".join(p for p in (found.place, inner) if p)
            errors.append(_refused(found.argument, reason, found.variable, f"${name}", place))
    return errors
