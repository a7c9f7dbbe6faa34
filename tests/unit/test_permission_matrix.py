"""The permission matrix: every mutation and sensitive query × every role, allowed or refused
before anything runs. The expected matrix is written out here, independently of the policy."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from strawberry.types import ExecutionResult
from strawberry.types.base import StrawberryObjectDefinition

from graphql import GraphQLInterfaceType
from services.gateway.execution.operation_choice import OperationNameNeeded
from services.gateway.http.protection import Limits
from services.gateway.schema import build_schema
from services.platform.security.auth import Principal, Role
from tests.support.principals import bare_context

SCHEMA = build_schema(Limits())
V, P, S, R, A, U, D = (
    Role.VIEWER,
    Role.PROCUREMENT_OFFICER,
    Role.SYSTEM_OWNER,
    Role.RISK_ANALYST,
    Role.SANCTION_AUTHORITY,
    Role.AUDITOR,
    Role.ADMIN,
)

# Field → the roles allowed (admin may do everything).
EXPECTED_MUTATIONS: dict[str, set[Role]] = {
    "submitEvent": {D},
    **{m: {P, D} for m in ("registerVendor", "updateVendor", "renameVendor")},
    "changeVendorAffiliation": {P, D},
    # A decision holds for every agency and a confirmation names the vendor: those who keep
    # vendor records (not a system owner, for its agencies only; auditors check decisions).
    "reviewMatch": {P, D},
    **{
        m: {P, S, D}
        for m in (
            "awardContract",
            "amendContract",
            "terminateContract",
            "requestSubcontract",
            "approveSubcontract",
            "rejectSubcontract",
            "submitCertificate",
        )
    },
    "reportIncident": {S, R, D},
    "investigateIncident": {R, A, D},
    "closeIncident": {R, A, D},
    **{
        m: {A, D}
        for m in ("imposeSanction", "amendSanction", "liftSanction", "fileClaim", "settleClaim")
    },
    "completeAudit": {U, D},
    **{
        m: {S, D}
        for m in (
            "createMigrationPlan",
            "configureMigrationPlan",
            "configureMigrationItem",
            "chooseReplacementVendor",
            "updateMigrationChecklist",
            "recordMigrationMilestone",
            "withdrawMigrationPlan",
        )
    },
    # An agency's watchlists and alerts: those who buy and those who run its contracts.
    "saveWatchlist": {P, S, D},
    "acknowledgeAlert": {P, S, D},
}
EXPECTED_QUERIES: dict[str, set[Role]] = {
    "bidEligibility": {P, A, S, U, D},
    "bidEligibilityMany": {P, A, S, U, D},
    "screenBidders": {P, A, S, U, D},
    "proposeSuspension": {P, A, U, D},
    "events": {U, D},
    "auditTrail": {U, D},
    "deadLetters": {U, D},
    # Import reports: the lists' keepers and those who check them.
    "imports": {A, U, D},
    "importReport": {A, U, D},
    # Watchlists and alerts: whoever may ask whether vendors may bid.
    "watchlists": {P, A, S, U, D},
    "alerts": {P, A, S, U, D},
    # Open to every role (reads); what belongs to an agency a system owner sees only for its
    # own agencies (tests/integration/test_api_agency_scope.py).
    **{
        q: {V, P, S, R, A, U, D}
        for q in (
            "registeredVendors",
            "vendor",
            "vendors",
            "registryChanges",
            "contracts",
            "sanctions",
            # The policies and the authorities named by sanctions, which "sanctions" shows.
            "sanctionAuthorities",
            "riskScore",
            "riskHistory",
            "riskiestVendors",
            "migrationPlans",
            "migrationPlan",
            "eventStatus",
            # The registry's today: what a client draws as today (the console's charts).
            "today",
            # Any object by its global id: each type read by the roles of the query that
            # serves it (below, and tests/integration/test_api_node_access.py).
            "node",
            "nodes",
        )
    },
}
# Node types some roles may not read at all, by id either → the root queries serving them.
RESTRICTED_NODES = {
    "LoggedEvent": ("events", "auditTrail"),
    "ImportReport": ("imports", "importReport"),
    "Alert": ("alerts",),
    "Watchlist": ("watchlists",),
}
EXPECTED_SUBSCRIPTIONS = {"riskUpdates", "eligibilityChanges", "migrationProgress"}


async def refused(operation: str, field: str, principal: Principal | None) -> bool:
    """Whether the role check refuses the root field (arguments left out are other errors)."""
    document = f"{operation} {{ {field} }}"
    context = bare_context(principal) if principal else SimpleNamespace(principal=None)
    if operation == "subscription":
        stream = await SCHEMA.subscribe(document, context_value=context)
        # Refusals (and other validation errors) come as the stream's first and only result.
        first = await anext(stream) if not isinstance(stream, ExecutionResult) else stream
        errors = first.errors
    else:
        errors = (await SCHEMA.execute(document, context_value=context)).errors
    return any("may not use" in e.message or "sign in" in e.message for e in errors or [])


def test_every_mutation_of_the_schema_is_in_the_matrix() -> None:
    assert SCHEMA._schema.mutation_type is not None
    assert set(SCHEMA._schema.mutation_type.fields) == set(EXPECTED_MUTATIONS)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("field", sorted(EXPECTED_MUTATIONS))
async def test_mutation_permissions(field: str, role: Role) -> None:
    principal = Principal("someone", role, ("市民課",))
    assert await refused("mutation", field, principal) == (role not in EXPECTED_MUTATIONS[field])


def test_every_query_of_the_schema_is_in_the_matrix() -> None:
    assert SCHEMA._schema.query_type is not None
    assert set(SCHEMA._schema.query_type.fields) == set(EXPECTED_QUERIES)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("field", sorted(EXPECTED_QUERIES))
async def test_query_permissions(field: str, role: Role) -> None:
    principal = Principal("someone", role, ("市民課",))
    assert await refused("query", field, principal) == (role not in EXPECTED_QUERIES[field])


def test_a_type_fetched_by_id_is_read_by_the_roles_of_the_queries_serving_it() -> None:
    node = SCHEMA._schema.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    for graphql_type in SCHEMA._schema.get_implementations(node).objects:
        origin = SCHEMA.get_type_by_name(graphql_type.name)
        assert isinstance(origin, StrawberryObjectDefinition)
        readers = origin.origin.node_readers
        queries = RESTRICTED_NODES.get(graphql_type.name)
        if queries is None:
            assert readers is None, graphql_type.name
        else:
            assert all(readers == EXPECTED_QUERIES[q] for q in queries), graphql_type.name


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("field", sorted(EXPECTED_SUBSCRIPTIONS))
async def test_every_role_may_subscribe(field: str, role: Role) -> None:
    assert not await refused("subscription", field, Principal("someone", role, ("市民課",)))


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_alerts_are_followed_by_whoever_may_read_them(role: Role) -> None:
    principal = Principal("someone", role, ("市民課",))
    refusal = await refused("subscription", "alerts { id }", principal)
    assert refusal == (role not in EXPECTED_QUERIES["alerts"])


@pytest.mark.parametrize(
    ("operation", "field"),
    [
        ("query", "vendor"),
        ("query", "__schema { queryType { name } }"),
        ("query", '__type(name: "Vendor") { name }'),
        ("mutation", "registerVendor"),
        ("subscription", "riskUpdates"),
    ],
)
async def test_without_a_caller_nothing_is_allowed(operation: str, field: str) -> None:
    # Introspection included: without a token, not even the schema is shown.
    assert await refused(operation, field, None)


async def role_refusals(document: str, role: Role, operation_name: str | None) -> list[str]:
    """The role check's refusals of the request running `operation_name` of the document."""
    context = bare_context(Principal("test-caller", role, ()))
    answer = await SCHEMA.execute(document, context_value=context, operation_name=operation_name)
    return [e.message for e in answer.errors or [] if "may not use" in e.message]


TWO_OPERATIONS = """
query A { today }
mutation B { submitEvent(event: "{}") { accepted } }
"""
# A fragment is judged with the operation that spreads it, and only then.
FRAGMENTS = """
query A { ...Day }
query B { ...Refused }
fragment Day on Query { today ...Deeper }
fragment Deeper on Query { today }
fragment Refused on Query { ...Nested }
fragment Nested on Query { deadLetters { totalCount } }
"""


@pytest.mark.parametrize(
    ("document", "operation", "said"),
    [
        (TWO_OPERATIONS, "A", []),
        (TWO_OPERATIONS, "B", ["role auditor may not use submitEvent"]),
    ],
)
async def test_the_role_check_judges_the_operation_the_request_runs(
    document: str, operation: str, said: list[str]
) -> None:
    """GraphQL runs only the operation `operationName` selects: an auditor's query was
    refused for a mutation beside it in the document (a tester's finding)."""
    assert await role_refusals(document, U, operation) == said


async def test_a_fragment_is_judged_with_the_operation_spreading_it() -> None:
    # deadLetters is the auditors' (and admins'): a viewer is refused it in B, by however
    # many fragments deep, and not in A, which spreads none of them.
    assert await role_refusals(FRAGMENTS, V, "A") == []
    assert await role_refusals(FRAGMENTS, V, "B") == ["role viewer may not use deadLetters"]


async def test_several_operations_and_no_operation_name_run_none() -> None:
    # Refused before validation (a request error over HTTP, graphql_view.py): no role check
    # needs to choose among them.
    context = bare_context(Principal("test-caller", U, ()))
    with pytest.raises(OperationNameNeeded):
        await SCHEMA.execute(TWO_OPERATIONS, context_value=context)
