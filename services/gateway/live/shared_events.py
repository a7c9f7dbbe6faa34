"""One execution of a subscription's selection per event and shape, shared by its subscribers.

graphql-core executes a subscription's selection set once per event for every subscriber:
1,000 subscribers of `eligibilityChanges` cost 1,000 executions of the same selection over
the same object (the broadcaster hands every subscriber of a kind the one object it made of
the event, `Broadcaster.shaped`). What an execution yields depends only on that object, the
document and operation, the variables, and who asks as far as the access rules look at
callers (their role and agencies, `platform/security/access.py`). Subscribers that agree on all of
those (a *shape*) share one execution per event: the first to take the event runs it, the
others take its result (or wait for it, when resolvers await).

A shape is worked out once per subscription. Variables whose values are not plain data
(strings, numbers, dates, enums, lists and objects of them) give no shape: such a
subscription executes on its own, as before. So does one whose document has no source text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import inspect
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Hashable
from decimal import Decimal
from typing import Any, cast

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import ExecutionResult, OperationType

# Events whose results are kept: subscribers take an event within moments of each other, so a
# few hundred recent events is plenty; older ones are executed afresh if anyone still asks.
EVENTS = 512

_PLAIN = (str, int, float, bool, type(None), dt.date, dt.time, enum.Enum, uuid.UUID, Decimal)

Result = ExecutionResult | Awaitable[ExecutionResult]


class NotPlain(Exception):
    """A variable's value is not plain data: its equality says nothing about its content."""


def frozen(value: Any) -> Hashable:
    """A hashable value equal for equal plain data (types kept apart: 1, 1.0 and True)."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    if isinstance(value, _PLAIN):
        return (type(value), value)
    raise NotPlain


class SharedEventResults:
    """The results of the recent events' executions, by event object and shape."""

    def __init__(self, size: int = EVENTS) -> None:
        self._size = size
        # By id of the event object; the object itself is kept so that its id stays its own.
        self._events: OrderedDict[int, tuple[object, dict[Hashable, Result]]] = OrderedDict()

    def known(self, event: object, shape: Hashable) -> Result | None:
        """The execution of `shape` over `event` when one was started, else None."""
        entry = self._events.get(id(event))
        if entry is None or entry[0] is not event:
            return None
        found = entry[1].get(shape)
        if found is None or isinstance(found, ExecutionResult):
            return found
        # Awaited by every subscriber of the shape; shielded, so that the first one leaving
        # (its client gone) does not cancel the others' execution.
        return asyncio.shield(found)

    def executed(self, event: object, shape: Hashable, made: Result) -> Result:
        """Keeps the execution of `shape` over `event` for the next subscribers."""
        entry = self._events.get(id(event))
        if entry is None or entry[0] is not event:
            entry = self._events[id(event)] = (event, {})
            if len(self._events) > self._size:
                self._events.popitem(last=False)
        if isinstance(made, ExecutionResult):
            entry[1][shape] = made
            return made
        if not inspect.isawaitable(made):  # neither a result nor awaitable: kept by no one
            return made
        running = entry[1][shape] = asyncio.ensure_future(made)
        return asyncio.shield(running)


class _Executed:
    """An event's executor whose execution was already made (graphql-core asks it for it)."""

    def __init__(self, result: Result) -> None:
        self.result = result

    def execute_operation(self, serially: bool | None = None) -> Result:
        return self.result


def caller(context: object) -> Hashable:
    principal = getattr(context, "principal", None)
    if principal is None:
        return None
    return (principal.role, principal.agencies)


def sharing_executor(
    shared: SharedEventResults, base: type[StrawberryGraphQLCoreExecutionContext]
) -> type[StrawberryGraphQLCoreExecutionContext]:
    """`base` (a strawberry executor) with subscription events executed once per shape."""

    class SharingExecutor(base):  # type: ignore[valid-type,misc]
        shaped = False
        shape: Hashable | None = None

        def build_per_event_executor(self, payload: Any) -> Any:
            # Called on the subscription's own executor, which the event's is a copy of.
            if not self.shaped:
                self.shape, self.shaped = self._shape(), True
            if self.shape is not None:
                known = shared.known(payload, self.shape)
                if known is not None:
                    return _Executed(known)
            return super().build_per_event_executor(payload)

        def _shape(self) -> Hashable | None:
            location = self.operation.loc
            if location is None:
                return None
            try:
                variables = frozen(self.variable_values.coerced)
            except NotPlain:
                return None
            name = self.operation.name.value if self.operation.name else None
            return (location.source.body, name, variables, caller(self.context_value))

        def execute_operation(self, serially: bool | None = None) -> Any:
            # `serially=False` is graphql-core's execution of one subscription event.
            subscription = self.operation.operation is OperationType.SUBSCRIPTION
            if serially is not False or not subscription or self.shape is None:
                return super().execute_operation(serially)
            made = cast(Result, super().execute_operation(serially))
            return shared.executed(self.root_value, self.shape, made)

    return SharingExecutor
