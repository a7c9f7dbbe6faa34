"""GraphQL request latency by operation (vendorwatch_graphql_request_seconds): from parsing to
the result, so slow validation and refused operations show as well as slow resolvers."""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types.graphql import OperationType

from graphql import GraphQLError
from services.platform.operations import metrics


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        try:
            kind = context.operation_type
        # Unparsable, no such operation, or several and none named: still timed.
        except (RuntimeError, GraphQLError, CannotGetOperationTypeError):
            kind = None
        if kind is OperationType.SUBSCRIPTION:
            return  # its lifetime is the client's choice, not a latency
        observe(context.operation_name, kind, time.perf_counter() - started)


def observe(operation_name: str | None, kind: OperationType | None, seconds: float) -> None:
    """One request's latency (`kind` None: it did not parse, or named no operation)."""
    metrics.GRAPHQL_REQUEST_SECONDS.labels(
        metrics.operation_label(operation_name), kind.value if kind else "invalid"
    ).observe(seconds)
