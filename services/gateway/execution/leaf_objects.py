"""Objects whose selected fields are all stored leaves, completed without graphql-core's
per-field machinery.

graphql-core executes every field of every object the same way: it builds a resolve info, calls
the resolver (strawberry's, which reads the attribute), asks whether the value is awaitable,
then completes it by its type. For a list of 5,000 `BidEligibility` answers of three fields
that is 15,000 times, most of a `bidEligibilityMany` request. When every field selected on an
object is a *stored leaf* (strawberry's basic field: no resolver, no extension, no arguments,
so its resolver only reads the attribute; of a scalar or enum type; `__typename` too), the
object is completed here by reading and serialising each field in one loop.

Nothing else changes: anything unusual on the way (a null for a non-null field, a value its
scalar refuses, an awaitable) sends the object back through graphql-core's own execution, which
reads the same attributes again (reading has no effect) and reports the error as it always
did, at the same path. Deferred fragments and resolver middleware take graphql-core's way too.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from graphql.execution.collect_fields import DeferUsage, FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    Undefined,
    get_nullable_type,
)

# (response key, read the value from the source, serialise it, may it be null)
_Field = tuple[str, Callable[[Any], Any], Callable[[Any], Any], bool]


# Values that are neither awaitables nor errors, told by their exact type (the common case).
_PLAIN = frozenset({str, int, float, bool, dt.date, dt.datetime})


class Fallback(Exception):
    """This object needs graphql-core's own execution."""


def typename(parent: GraphQLObjectType) -> Callable[[Any], Any]:
    return lambda _source: parent.name


class LeafObjectsExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, completing objects of stored leaves in one loop."""

    def execute_collected_subfields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path,
        grouped_field_set: GroupedFieldSet,
        new_defer_usages: Sequence[DeferUsage],
        delivery_group_map: Any,
    ) -> Any:
        if delivery_group_map is None and not new_defer_usages:
            plan = self._plan(parent_type, grouped_field_set)
            if plan is not None:
                try:
                    return _completed(plan, source_value)
                except Fallback:
                    pass
        return super().execute_collected_subfields(
            parent_type,
            source_value,
            path,
            grouped_field_set,
            new_defer_usages,
            delivery_group_map,
        )

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        # A list of such objects (5,000 answers) in one loop, without graphql-core's
        # completion of each item (its path, its type's checks, its subfields looked up).
        nullable = not isinstance(item_type, GraphQLNonNull)
        object_type = get_nullable_type(item_type)
        if (
            isinstance(items, list | tuple)
            and isinstance(object_type, GraphQLObjectType)
            and object_type.is_type_of is None
            and position_context is None
            and self.get_stream_usage(field_details_list, path) is None
        ):
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                object_type, field_details_list
            )
            plan = None if new_defer_usages else self._plan(object_type, grouped_field_set)
            if plan is not None:
                try:
                    return [_item(plan, item, nullable) for item in items]
                except Fallback:
                    pass
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[_Field] | None:
        # graphql-core collects an object type's subfields once per selection and request,
        # so the items of a list share one field set: the plan is made once for them all.
        plans: dict[int, tuple[GroupedFieldSet, list[_Field] | None]]
        plans = self.__dict__.setdefault("_plans", {})
        known = plans.get(id(grouped_field_set))
        if known is not None and known[0] is grouped_field_set:
            return known[1]
        plan = self._leaf_fields(parent_type, grouped_field_set)
        plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def _leaf_fields(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[_Field] | None:
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            return None
        plan: list[_Field] = []
        for key, details in grouped_field_set.items():
            if any(d.node.arguments or d.node.directives for d in details):
                return None
            name = details[0].node.name.value
            if name == "__typename":
                plan.append((key, typename(parent_type), str, False))
                continue
            field = self.schema.get_field(parent_type, name)
            if field is None or not is_stored(field):
                return None
            nullable = not isinstance(field.type, GraphQLNonNull)
            leaf = get_nullable_type(field.type)
            if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
                return None
            plan.append((key, stored_reader(field), leaf.coerce_output_value, nullable))
        return plan


def is_stored(field: GraphQLField) -> bool:
    """strawberry's basic field (no resolver, no extension, no arguments): it reads the
    attribute; strawberry marks the resolver it gives such a field."""
    return not field.args and getattr(field.resolve, "_is_default", False) is True


def stored_reader(field: GraphQLField) -> Callable[[Any], Any]:
    """What strawberry's basic resolver does: the attribute, read by the default resolver."""
    definition = field.extensions.get("strawberry-definition")
    if definition is not None and definition.default_resolver is getattr:
        return operator.attrgetter(definition.python_name)
    resolve: Callable[[Any], Any] | None = field.resolve
    assert resolve is not None  # a basic field's
    return resolve


def _item(plan: list[_Field], item: Any, nullable: bool) -> dict[str, Any] | None:
    if item is None:
        if not nullable:
            raise Fallback
        return None
    if hasattr(item, "__await__"):
        raise Fallback
    return _completed(plan, item)


def _completed(plan: list[_Field], source: Any) -> dict[str, Any]:
    return {
        key: leaf_value(read(source), serialise, nullable)
        for key, read, serialise, nullable in plan
    }


def leaf_value(value: Any, serialise: Callable[[Any], Any], nullable: bool) -> Any:
    """A stored leaf's value as the answer has it; Fallback where graphql-core has to see it."""
    if type(value) not in _PLAIN and (hasattr(value, "__await__") or isinstance(value, Exception)):
        raise Fallback  # graphql-core awaits it, or reports it
    if value is None:
        if not nullable:
            raise Fallback
        return None
    try:
        out = serialise(value)
    except Exception as refused:
        raise Fallback from refused
    if out is None or out is Undefined:
        raise Fallback
    return out
