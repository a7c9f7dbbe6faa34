"""The GraphQL schema: each service contributes its query fields; mutations go to the log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig

from services.alerts.graphql_types import AlertsMutation, AlertsQuery, AlertsSubscription
from services.gateway.execution.document_checks import DocumentChecks
from services.gateway.execution.enum_values import list_enum_values
from services.gateway.execution.errors import ErrorTriageSchema, InternalErrorIds
from services.gateway.execution.id_list_variables import IdListVariables
from services.gateway.execution.leaf_objects import LeafObjectsExecutor
from services.gateway.execution.name_conversion import RememberedNames
from services.gateway.execution.one_of_inputs import mark_one_of_inputs
from services.gateway.execution.operation_choice import SpecOperationSchema
from services.gateway.execution.operation_metrics import OperationMetrics
from services.gateway.http.protection import Limits
from services.gateway.live.shared_events import SharedEventResults, sharing_executor
from services.gateway.operations import OperationsQuery
from services.gateway.recording.event_mutations import EventMutation
from services.gateway.recording.mutations import Mutation as BaseMutation
from services.gateway.scalars import AMOUNT, DATE, DATETIME, Amount
from services.gateway.today import TodayQuery
from services.migration.api.graphql_mutations import MigrationMutation
from services.migration.api.graphql_queries import MigrationQuery, MigrationSubscription
from services.migration.api.graphql_withdrawal import MigrationWithdrawalMutation
from services.platform.graphql.nodes import NodeQuery
from services.registry.api.graphql_authorities import AuthoritiesQuery
from services.registry.api.graphql_imports import ImportsQuery
from services.registry.api.graphql_queries import RegistryQuery, RegistrySubscription
from services.registry.api.graphql_record_fields import RecordsQuery
from services.registry.bidder_screening.graphql_types import BidderScreeningQuery
from services.risk.graphql_types import RiskQuery, RiskSubscription


@strawberry.type(
    description="What can be asked: vendors and their records, bid eligibility, risk,"
    " migration plans, the reports of list imports, watchlists and alerts, the event log"
    " itself, and any object again by its global id. A Date is a calendar day (a default of"
    " today means today in the registry's time zone); a DateTime carries its UTC offset. Every"
    " error of a request carries `extensions.code`, stable for a client to say in its user's"
    " language (the message, in English, gives the details): UNAUTHENTICATED, TOKEN_EXPIRED,"
    " FORBIDDEN, BAD_REQUEST, BAD_USER_INPUT, INTERNAL (with `extensions.errorId`),"
    " UNAVAILABLE (the database out of reach: try again shortly), and over HTTP NOT_FOUND,"
    " REQUEST_TOO_LARGE, TIMEOUT and the persisted queries' codes."
)
class Query(
    RegistryQuery,
    AuthoritiesQuery,
    BidderScreeningQuery,
    RecordsQuery,
    ImportsQuery,
    RiskQuery,
    MigrationQuery,
    OperationsQuery,
    AlertsQuery,
    TodayQuery,
    NodeQuery,
):
    pass


@strawberry.type(
    description="What can be recorded: each mutation appends one event to the log and answers"
    " with an EventReceipt (the event id, or the field errors with nothing written)."
)
class Mutation(
    BaseMutation,
    EventMutation,  # type: ignore[misc]
    MigrationMutation,
    MigrationWithdrawalMutation,
    AlertsMutation,
):
    pass


@strawberry.type(
    description="What can be followed live (graphql-transport-ws): eligibility changes, risk"
    " moves, a migration plan's progress, and alerts."
)
class Subscription(
    RegistrySubscription, RiskSubscription, MigrationSubscription, AlertsSubscription
):
    pass


class _Executor(IdListVariables, LeafObjectsExecutor):
    """strawberry's executor with the gateway's shortcuts: lists of string IDs taken as given
    (id_list_variables.py), objects of stored leaves completed in one loop (leaf_objects.py)."""


class _Schema(ErrorTriageSchema, SpecOperationSchema):
    """strawberry's schema with errors logged and coded by whose they are (errors.py), the
    operation run chosen as the specification has it (operation_choice.py), and `@oneOf`
    inputs checked by graphql-core (one_of_inputs.py); an enum's value refused with the values
    it takes (enum_values.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mark_one_of_inputs(self._schema)
        list_enum_values(self._schema)


def build_schema(limits: Limits, checks: DocumentChecks | None = None) -> strawberry.Schema:
    """The schema; `checks`, the document checks it keeps validations in (its own if None)."""
    checks = checks or DocumentChecks(limits.validation_rules())
    return _Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={dt.date: DATE, dt.datetime: DATETIME, Amount: AMOUNT},
        config=StrawberryConfig(name_converter=RememberedNames()),
        execution_context_class=sharing_executor(SharedEventResults(), _Executor),
        extensions=[
            OperationMetrics,
            *limits.extensions(),
            checks.extension,
            InternalErrorIds,
        ],
    )


def schema_sdl() -> str:
    """The SDL checked in as graphql/schema.graphql (limits do not change it)."""
    return build_schema(Limits()).as_str() + "\n"
