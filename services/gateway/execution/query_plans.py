"""A known query of plain shape answered by its root resolvers and one pass over their objects.

graphql-core executes a query field by field: for each it builds a resolve info, looks the
field up, calls its resolver, asks whether the value is awaitable, completes it by its type,
and collects each object's subfields again for each object. For `bidEligibility` that machinery
was over a third of the API process's time per check, around a resolver whose own work is one
SQL statement. What it decides depends only on the document, so for a document of *plain shape*
it is decided once, into a plan:

- one query operation, without fragments or directives anywhere, every response key once;
- root fields that are not introspection, whose resolvers are called as graphql-core calls them
  (the executor's own resolve info and argument values, so strawberry's resolver wrapper,
  permissions and argument conversion run unchanged);
- below them only stored fields (`leaf_objects.is_stored`: the attribute read) of scalar, enum,
  object or list type, objects of concrete types (no interface, union or `is_type_of` check).

Running a plan builds the executor as graphql-core does (its variable coercion and the gateway's
id lists: `id_list_variables.py`), calls each root resolver, and completes its value by the
plan: a dict per object, a list per list, each leaf serialised by its type. Only an answer
without errors is taken: a variable refused, a resolver's error, a null where the type says
non-null, a value its scalar refuses, an awaitable or an iterable that is not a list below the
root all give None, and `known_queries.py` runs the query graphql-core's whole way (a query
only reads, so running it again costs time, not effects).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from graphql.execution import MiddlewareManager
from graphql.execution.executor import Executor
from graphql.pyutils import Path
from strawberry.execution import optimized_is_awaitable

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    SelectionSetNode,
    get_argument_values,
    get_nullable_type,
)
from graphql import (
    TypeNameMetaFieldDef as TYPENAME,
)
from services.gateway.execution.leaf_objects import (
    Fallback,
    is_stored,
    leaf_value,
    stored_reader,
    typename,
)

# A value as the answer has it, from what a resolver or an attribute gave, at a path (the
# executor's, for the resolve info of the fields below); raises Fallback.
Completer = Callable[[Any, "Executor[Any]", Path], Any]


# graphql-core's standard scalars return a value of exactly this type unchanged.
UNCHANGED = ((GraphQLID, str), (GraphQLString, str), (GraphQLBoolean, bool))


@dataclass(frozen=True)
class _Root:
    key: str
    field: GraphQLField
    node: FieldNode
    complete: Completer


class QueryPlan:
    """How to answer one document's query: its root fields and what completes each."""

    def __init__(self, document: DocumentNode, query_type: GraphQLObjectType, roots: list[_Root]):
        self._document = document
        self._query_type = query_type
        self._roots = roots

    async def run(
        self,
        schema: GraphQLSchema,
        executor_class: type[Executor[Any]],
        root_value: Any,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        operation_extensions: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        """The answer's data; None where graphql-core's whole way has to answer."""
        executor = executor_class.build(
            schema,
            self._document,
            root_value,
            context,
            variables,
            operation_name,
            middleware=MiddlewareManager(),
            # strawberry passes the same check (a bool, not a TypeGuard in its types).
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            operation_extensions=operation_extensions,
        )
        if isinstance(executor, list):  # the variables' errors
            return None
        data: dict[str, Any] = {}
        for root in self._roots:
            path = Path(None, root.key, self._query_type.name)
            info = executor.build_resolve_info(root.field, [root.node], self._query_type, path)
            try:
                args = get_argument_values(root.field, root.node, executor.variable_values)
                value = root.field.resolve(root_value, info, **args)  # type: ignore[misc]
                if executor.is_awaitable(value):
                    value = await value
                data[root.key] = root.complete(value, executor, path)
            except Exception:  # an error of the answer: strawberry's way makes and masks it
                return None
        return data


def plan_of(schema: GraphQLSchema, document: DocumentNode) -> QueryPlan | None:
    """The plan of a valid document, if its shape is plain (the module's list); else None."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    query_type = schema.query_type
    if (
        len(operations) != len(document.definitions)  # fragments
        or len(operations) != 1
        or operations[0].operation.value != "query"
        or operations[0].directives
        or query_type is None
    ):
        return None
    roots = []
    for key, node in _fields(operations[0].selection_set) or ():
        field = query_type.fields.get(node.name.value)
        if field is None or field.resolve is None:  # introspection, or no resolver of its own
            return None
        completer = _completer(field.type, node.selection_set)
        if completer is None:
            return None
        roots.append(_Root(key, field, node, completer[0]))
    return QueryPlan(document, query_type, roots) if roots else None


def _fields(selection_set: SelectionSetNode | None) -> list[tuple[str, FieldNode]] | None:
    """The selection's fields by response key, if each is a field without directives, once."""
    if selection_set is None:
        return None
    fields: dict[str, FieldNode] = {}
    for node in selection_set.selections:
        if not isinstance(node, FieldNode) or node.directives:
            return None
        key = node.alias.value if node.alias else node.name.value
        if key in fields:  # merged by graphql-core's collection: left to it
            return None
        fields[key] = node
    return list(fields.items())


@dataclass(frozen=True)
class _Step:
    """One field of an object: read (stored) or resolved, then completed."""

    key: str
    complete: Completer
    read: Callable[[Any], Any] | None  # a stored field's; None: resolved
    field: GraphQLField
    node: FieldNode
    below: bool  # whether resolvers run below it (they need its path)


def _completer(
    output_type: GraphQLOutputType, selection: SelectionSetNode | None
) -> tuple[Completer, bool] | None:
    """What completes a value of this type and selection, and whether resolvers run in it."""
    nullable = not isinstance(output_type, GraphQLNonNull)
    inner = get_nullable_type(output_type)
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return None if selection else (_leaf_completer(inner, nullable), False)
    if isinstance(inner, GraphQLList):
        item = _completer(inner.of_type, selection)
        return None if item is None else (_list_completer(*item, nullable), item[1])
    if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
        return _object_completer(inner, selection, nullable)
    return None


def _leaf_completer(leaf: GraphQLScalarType | GraphQLEnumType, nullable: bool) -> Completer:
    serialise = leaf.coerce_output_value
    unchanged = next((kind for scalar, kind in UNCHANGED if scalar is leaf), None)
    if unchanged is None:
        return lambda value, _executor, _path: leaf_value(value, serialise, nullable)

    def complete(value: Any, _executor: Executor[Any], _path: Path) -> Any:
        if type(value) is unchanged:
            return value
        return leaf_value(value, serialise, nullable)

    return complete


def _list_completer(item: Completer, below: bool, nullable: bool) -> Completer:
    def complete(value: Any, executor: Executor[Any], path: Path) -> Any:
        if value is None and nullable:
            return None
        if not isinstance(value, list | tuple):  # graphql-core takes any iterable, or errs
            raise Fallback
        if below:
            return [item(each, executor, path.add_key(i)) for i, each in enumerate(value)]
        return [item(each, executor, path) for each in value]

    return complete


def _object_completer(
    object_type: GraphQLObjectType, selection: SelectionSetNode | None, nullable: bool
) -> tuple[Completer, bool] | None:
    steps: list[_Step] = []
    for key, node in _fields(selection) or ():
        name = node.name.value
        if name == "__typename" and not node.selection_set:
            steps.append(_Step(key, _same, typename(object_type), TYPENAME, node, False))
            continue
        field = object_type.fields.get(name)
        if field is None or field.args or node.arguments or field.resolve is None:
            return None
        completer = _completer(field.type, node.selection_set)
        if completer is None:
            return None
        complete, below = completer
        read = stored_reader(field) if is_stored(field) else None
        steps.append(_Step(key, complete, read, field, node, below or read is None))
    if not steps:
        return None
    if all(step.read is not None and not step.below for step in steps):
        return _read_object_completer(steps, nullable), False
    parent = object_type.name

    def completed(value: Any, executor: Executor[Any], path: Path) -> Any:
        if value is None and nullable:
            return None
        if value is None or hasattr(value, "__await__") or isinstance(value, Exception):
            raise Fallback
        answer = {}
        for step in steps:
            at = path.add_key(step.key, parent) if step.below else path
            if step.read is not None:
                found = step.read(value)
            else:
                info = executor.build_resolve_info(step.field, [step.node], object_type, at)
                found = step.field.resolve(value, info)  # type: ignore[misc]
                if executor.is_awaitable(found):  # graphql-core would await it
                    if isinstance(found, Coroutine):
                        found.close()
                    raise Fallback
            answer[step.key] = step.complete(found, executor, at)
        return answer

    return completed, any(step.below for step in steps)


def _read_object_completer(steps: list[_Step], nullable: bool) -> Completer:
    """An object whose selected fields are all read (the list of 5,000 answers): one
    comprehension, without the paths that only resolvers need."""
    reads = tuple((step.key, step.read, step.complete) for step in steps)

    def completed(value: Any, executor: Executor[Any], path: Path) -> Any:
        if value is None and nullable:
            return None
        if value is None or isinstance(value, Exception) or hasattr(value, "__await__"):
            raise Fallback
        return {key: complete(read(value), executor, path) for key, read, complete in reads}  # type: ignore[misc]

    return completed


def _same(value: Any, *_: Any) -> Any:
    return value
