"""The operation a request runs, as the GraphQL specification's GetOperation chooses it.

strawberry's execution context, given no operation name, names the document's first
operation, so a document of several operations without `operationName` ran the first one, a
mutation too. The specification makes that a request error: "Must provide operation name if
query contains multiple operations" (graphql-core's words, as its executor would say them).
Here it is raised where strawberry asks for the operation's type, before validation and
execution, as strawberry's own `CannotGetOperationTypeError` (an unknown operation name), so
it reaches a client as that does: over HTTP a request error (graphql_view.py), over the
WebSocket a close with 4400 and the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from graphql import OperationDefinitionNode

NAME_NEEDED = "Must provide operation name if query contains multiple operations."


class OperationNameNeeded(CannotGetOperationTypeError):
    def __init__(self) -> None:
        super().__init__(None)

    def as_http_error_reason(self) -> str:
        return NAME_NEEDED


class _SpecExecutionContext(ExecutionContext):
    """strawberry's execution context without the first operation standing in for a name."""

    def _several_operations(self) -> bool:
        document = self.graphql_document
        if self._provided_operation_name is not None or document is None:
            return False
        operations = (d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        return next(operations, None) is not None and next(operations, None) is not None

    @property
    def operation_name(self) -> str | None:
        return None if self._several_operations() else super().operation_name

    @property
    def operation_type(self) -> OperationType:
        if self._several_operations():
            raise OperationNameNeeded
        return super().operation_type


class SpecOperationSchema(strawberry.Schema):
    """A schema whose requests choose their operation as the specification does."""

    def _create_execution_context(  # strawberry's, its arguments as it passes them
        self,
        query: str | None,
        allowed_operation_types: Iterable[OperationType],
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionContext:
        return _SpecExecutionContext(
            query=query,
            schema=self,
            allowed_operations=allowed_operation_types,
            context=context_value,
            root_value=root_value,
            variables=variable_values,
            provided_operation_name=operation_name,
            operation_extensions=operation_extensions,
        )
