"""What a client sees of an error: the reason when it is theirs to fix, an id when it is ours.

Input problems (an invalid event, an unknown vendor, a date that does not exist, a policy
refusal) keep their message, which says which field and why. Anything else (a database
error, a bug) could leak internals: it is logged with a fresh id, and the client gets only
that id to quote to the operators.

Every error leaves with a code (`extensions.code`, `platform/error_codes.py`) that a client
says in its user's language: the role and agency checks give theirs where they refuse; the
rest is told here by what raised it (a client's value, the request's form, or ours).
"""

from __future__ import annotations

import logging
import uuid

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from services.events.catalog import EventRejected
from services.platform.error_codes import ErrorCode
from services.platform.graphql.errors import InvalidArgument, RoleRefused
from services.platform.operations.outages import out_of_reach, unavailable
from services.registry.domain.era_dates import InvalidDate
from services.registry.domain.policy import OutsidePolicy, PolicyError
from services.registry.reads.queries import RegistryQueryError

log = logging.getLogger(__name__)


# The errors whose message is meant for the client.
CLIENT_ERRORS = (
    InvalidArgument,
    EventRejected,
    RegistryQueryError,
    PolicyError,
    OutsidePolicy,
    InvalidDate,
    # No operation of that name, or several and none named (operation_choice.py): over the
    # WebSocket, strawberry closes with 4400 and its message, which it finds by this error.
    CannotGetOperationTypeError,
)


def _is_internal(error: GraphQLError) -> bool:
    original = error.original_error
    # No original error: a problem with the query itself (syntax, validation, limits). A
    # GraphQLError as the original: raised for the client on purpose, such as a scalar's
    # refusal of a variable ("$d" given as "2019-02-30"), which graphql-core wraps.
    return original is not None and not isinstance(original, (*CLIENT_ERRORS, GraphQLError))


def _code(error: GraphQLError) -> ErrorCode:
    """The code of an error raised without one (never an internal one: those are masked)."""
    if error.original_error is None or isinstance(
        error.original_error, CannotGetOperationTypeError
    ):
        # graphql-core's own: the document does not parse or validate (limits included);
        # strawberry's: no such operation, or several and none named.
        return ErrorCode.BAD_REQUEST
    if isinstance(error.original_error, RoleRefused):
        return ErrorCode.FORBIDDEN
    # A resolver's refusal of a value; a variable missing, or refused by its type or its
    # scalar ("2019-02-30"), which graphql-core reports with the GraphQLError it met.
    return ErrorCode.BAD_USER_INPUT


def with_code(error: GraphQLError) -> None:
    """Gives a client's error its code, unless it has one (the role and agency checks')."""
    if not (error.extensions and "code" in error.extensions):
        error.extensions = {**(error.extensions or {}), "code": _code(error).value}


class ErrorTriageSchema(strawberry.Schema):
    """Logs each error by whose it is. strawberry's own logs every error at ERROR with a
    traceback, a client's typo too, which buries the real faults: here a client's mistake is
    one INFO line, and a real fault is logged at ERROR, with its id and traceback, by
    InternalErrorIds. A client's error is given its code (`with_code`)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if not _is_internal(error):
                log.info("client error %s: %s", _where(error), error.message)
                # Here rather than in InternalErrorIds: strawberry reports a document its
                # parser cache cannot parse after the extensions' operation hook has ended.
                with_code(error)


def _where(error: GraphQLError) -> str:
    """Where in the request the error is: the field's path when a field raised it, else its
    place in the query text (a document or a variable refused before any field ran), else
    the request itself (an operation not found, no query given): never "at None"."""
    if error.path:
        return "at " + ".".join(str(step) for step in error.path)
    if error.locations:
        places = ", ".join(f"{place.line}:{place.column}" for place in error.locations)
        return f"in the query at line:column {places}"
    return "in the request"


class InternalErrorIds(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_internal)

    def _process_result(self, result: object) -> None:
        # strawberry's asks `isinstance(result, <a runtime-checkable Protocol>)`, which costs
        # more than the rest of a subscription event's bookkeeping, once per subscriber.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]

    def _recording(self) -> bool:
        """Whether the request may have recorded an event: a mutation (or one not known)."""
        context = getattr(self, "execution_context", None)
        operation = getattr(context, "operation_type", None)
        return operation is None or operation == OperationType.MUTATION

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        what = out_of_reach(error.original_error) if error.original_error else None
        if what is not None:
            # Not a fault to debug (/healthz says what it waits for): no traceback, no id.
            log.warning("request at %s: %s out of reach: %s", error.path, what, error.message)
            return GraphQLError(
                message=unavailable(what, recording=self._recording()),
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": ErrorCode.UNAVAILABLE.value},
            )
        error_id = uuid.uuid4().hex[:12]
        log.error("internal error %s at %s", error_id, error.path, exc_info=error.original_error)
        return GraphQLError(
            message=f"internal error {error_id}: quote this id to the operators",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": ErrorCode.INTERNAL.value, "errorId": error_id},
        )
