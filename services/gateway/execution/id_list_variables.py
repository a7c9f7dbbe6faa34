"""Variables that are lists of IDs taken as they are when every item is already a string.

graphql-core coerces a variable item by item: for `bidEligibilityMany(vendorIds: $v)` with
5,000 ids, it walks the list once to check its nesting and once more to coerce each item
through the `[ID!]` type's wrappers to the ID scalar, which returns a string unchanged. That
was 8.5 ms of the request. A list of strings is exactly what that coercion returns for such a
variable (an `ID` list, its items nullable or not, the list nullable or not), so it is used as
is: the variable is coerced as an empty list by graphql-core, with everything else (the other
variables, their defaults and errors), and then given the list. Anything else (an integer id,
a null item, a single string for a list) keeps graphql-core's own coercion and its errors.
"""

from __future__ import annotations

from typing import Any

from graphql.execution.executor import Executor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLID,
    GraphQLSchema,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
)


class IdListVariables(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, with variables that are lists of string IDs taken as given."""

    @classmethod
    def build(  # graphql-core's, its other arguments passed on as they come
        cls,
        schema: GraphQLSchema,
        document: DocumentNode,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        operation_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> list[GraphQLError] | Executor[Any]:
        taken = _string_id_lists(schema, document, operation_name, raw_variable_values or {})
        given = (raw_variable_values or {}) | {name: [] for name in taken}
        built = super().build(
            schema, document, root_value, context_value, given, operation_name, *args, **kwargs
        )
        if isinstance(built, list):  # errors of the other variables, as graphql-core gives them
            return built
        values = built.variable_values
        for name, ids in taken.items():
            values.coerced[name] = list(ids)  # a list of its own, as coercion makes
            values.sources[name] = values.sources[name]._replace(value=ids)
        return built


def _string_id_lists(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw: dict[str, Any],
) -> dict[str, list[str]]:
    """The variables of the operation run that are ID lists given as lists of strings."""
    operation = _operation(document, operation_name)
    if operation is None or not raw or schema.get_type("ID") is not GraphQLID:
        return {}
    taken = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        value = raw.get(name)
        if type(value) is list and _is_id_list(definition.type) and set(map(type, value)) <= {str}:
            taken[name] = value
    return taken


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation `name` names, or the only one; None where graphql-core reports a mistake."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _is_id_list(type_node: TypeNode) -> bool:
    """`[ID]`, `[ID!]`, `[ID]!` or `[ID!]!`."""
    if isinstance(type_node, NonNullTypeNode):
        type_node = type_node.type
    if not isinstance(type_node, ListTypeNode):
        return False
    item = type_node.type
    if isinstance(item, NonNullTypeNode):
        item = item.type
    return isinstance(item, NamedTypeNode) and item.name.value == "ID"
