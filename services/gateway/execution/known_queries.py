"""A query whose document is known valid, run without strawberry's per-request operation.

strawberry's `Schema.execute` builds, for every request, an execution context, a fresh
instance of each schema extension with its hooks (metrics, token limit, parser cache, the
document checks, error masking), and enters and leaves those hooks around parsing,
validation and execution. For a document seen before, parsing and validation are already
kept (`document_checks.py`), so that machinery only decides what it decided last time.
Here a query whose text the document checks hold as valid, with one operation, run by a
caller the role and agency checks let through, goes straight to the plan of its document
when it has one (`query_plans.py`), else to graphql-core's execution of the kept document,
either with the same executor class, variables, context and (empty) resolver middleware as
strawberry gives it: the same resolvers produce the same data.

Only an answer without errors is taken. Anything else returns None, and the request takes
strawberry's way from the start: a document not seen yet or not valid, a refused caller,
an operation name that does not match, a mutation or subscription, and any error during
execution (a variable refused, an unknown vendor, a fault). A query only reads, so running
one again costs time, not effects; the errors are then made, logged, masked and coded by
strawberry's path as before (`tests/integration/test_api_known_queries.py` compares both).
"""

from __future__ import annotations

import time
from typing import Any

import strawberry
from graphql.execution import MiddlewareManager
from strawberry.execution import optimized_is_awaitable
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType
from strawberry.utils.await_maybe import await_maybe

from graphql import (
    DocumentNode,
    OperationDefinitionNode,
    OperationType,
    execute,
    specified_rules,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from services.gateway.execution.document_checks import (
    DOCUMENT_BYTES,
    DOCUMENTS,
    DocumentChecks,
    DocumentFacts,
)
from services.gateway.execution.operation_metrics import observe
from services.gateway.execution.query_plans import QueryPlan, plan_of
from services.platform.weighed_cache import WeighedCache

# The rules strawberry validates a document with (its execution context's default): the
# document checks keep facts under them, with the limits' rules added.
STANDARD_RULES = tuple(specified_rules)


class KnownQueries:
    """Runs the known valid queries of one schema (one per API process)."""

    def __init__(
        self, schema: strawberry.Schema, checks: DocumentChecks, enabled: bool = True
    ) -> None:
        """`enabled` False: every request takes strawberry's way (what the tests compare)."""
        self._schema = schema
        self._checks = checks
        # strawberry hands graphql-core the extensions that resolve fields as middleware;
        # with any, each field runs through them, which this way would skip.
        self._enabled = enabled and not any(
            e._implements_resolve() for e in schema.get_extensions()
        )
        # By the document's identity, holding it (a plan is worked out once per document
        # object); bounded as the document checks are, whose documents these mostly are.
        self._plans: WeighedCache[int, tuple[DocumentNode, QueryPlan | None]]
        self._plans = WeighedCache(DOCUMENTS, DOCUMENT_BYTES)

    async def execute(
        self,
        query: str | None,
        variables: dict[str, Any] | None,
        context: Any,
        root_value: Any,
        operation_name: str | None,
        operation_extensions: dict[str, Any] | None,
    ) -> ExecutionResult | None:
        """The answer, as strawberry's `Schema.execute` gives it; None: take that way."""
        if not self._enabled or query is None or not isinstance(variables, dict | None):
            return None
        facts = self._checks.known(query, STANDARD_RULES)
        if facts is None or facts.errors:
            return None
        operation = _only_query(facts.document)
        if operation is None:
            return None
        name = operation.name.value if operation.name else None
        if operation_name is not None and operation_name != name:
            return None
        if facts.caller_errors(getattr(context, "principal", None), variables or {}):
            return None
        started = time.perf_counter()
        plan = self._plan(facts)
        if plan is not None:
            data = await plan.run(
                self._schema._schema,
                self._schema.execution_context_class,
                root_value,
                context,
                variables,
                operation_name,
                operation_extensions,
            )
            if data is None:
                return None
            observe(name, StrawberryOperationType.QUERY, time.perf_counter() - started)
            return ExecutionResult(data=data, errors=None, extensions={})
        result = await await_maybe(
            execute(
                self._schema._schema,
                facts.document,
                root_value=root_value,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
                middleware=MiddlewareManager(),
                executor_class=self._schema.execution_context_class,
                # strawberry passes the same check (a bool, not a TypeGuard in its types).
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                operation_extensions=operation_extensions,
            )
        )
        if not isinstance(result, GraphQLExecutionResult) or result.errors:
            return None
        observe(name, StrawberryOperationType.QUERY, time.perf_counter() - started)
        # strawberry's: its extensions give no results of their own.
        return ExecutionResult(data=result.data, errors=None, extensions={})

    def _plan(self, facts: DocumentFacts) -> QueryPlan | None:
        """The document's plan (query_plans.py), worked out the first time it runs here."""
        document = facts.document
        kept = self._plans.get(id(document))
        if kept is not None and kept[0] is document:
            return kept[1]
        plan = plan_of(self._schema._schema, document)
        self._plans.put(id(document), (document, plan), facts.weight)
        return plan


def _only_query(document: DocumentNode) -> OperationDefinitionNode | None:
    """The document's operation when it has one (fragments aside) and it is a query."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) == 1 and operations[0].operation is OperationType.QUERY:
        return operations[0]
    return None
