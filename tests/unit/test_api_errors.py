"""Errors: the client's own mistakes keep their reason; internal ones become an id, logged."""

from __future__ import annotations

import logging

import pytest
from graphql.error import GraphQLError

from services.gateway.http.protection import Limits
from services.gateway.schema import build_schema
from tests.support.principals import bare_context


async def test_an_internal_error_is_an_id_for_the_client_and_a_traceback_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A bare context: the resolver fails on something the client cannot fix or should not see.
    result = await build_schema(Limits()).execute(
        "{ deadLetters { totalCount } }", context_value=bare_context()
    )
    (error,) = result.errors or []
    assert error.message.startswith("internal error ") and "NoneType" not in error.message
    error_id = error.extensions["errorId"] if error.extensions else None
    assert error_id and error_id in error.message
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None


async def test_a_clients_mistake_keeps_its_reason() -> None:
    query = '{ bidEligibility(vendorId: "vendor-b", asOf: "令和1年4月30日") { eligible } }'
    result = await build_schema(Limits()).execute(query, context_value=bare_context())
    (error,) = result.errors or []
    assert "令和 began on 2019-05-01" in error.message


async def test_a_problem_with_the_query_itself_is_shown_as_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        result = await build_schema(Limits()).execute(
            "{ noSuchField }", context_value=bare_context()
        )
    (error,) = result.errors or []
    assert "Cannot query field 'noSuchField'" in error.message


BID_ELIGIBILITY_ON = (
    'query ($d: Date!) { bidEligibility(vendorId: "vendor-b", asOf: $d) { eligible } }'
)


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("令和1年4月30日", "令和 began on 2019-05-01"),
        ("2019-02-30", "2019-02 has no day 30"),
        ("garbage", "malformed; expected an ISO date"),
        (20190430, "expected a string"),
    ],
)
async def test_an_invalid_date_variable_is_the_clients_mistake_named_and_logged_quietly(
    caplog: pytest.LogCaptureFixture, date: object, reason: str
) -> None:
    """Written inline, the same date always had its reason; as a variable it was masked."""
    with caplog.at_level(logging.INFO):
        result = await build_schema(Limits()).execute(
            BID_ELIGIBILITY_ON, variable_values={"d": date}, context_value=bare_context()
        )
    (error,) = result.errors or []
    assert error.message.startswith("Variable '$d' has invalid value") and reason in error.message
    assert not any(r.levelno >= logging.WARNING for r in caplog.records)
    (logged,) = [r for r in caplog.records if reason in r.getMessage()]
    assert logged.levelno == logging.INFO and logged.exc_info is None


async def test_only_an_internal_error_is_logged_at_error(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        await build_schema(Limits()).execute(
            "{ deadLetters { totalCount } }", context_value=bare_context()
        )
    (logged,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged.levelno == logging.ERROR and logged.getMessage().startswith("internal error")


@pytest.mark.parametrize(
    ("query", "variables", "where"),
    [
        # The document, or a variable or literal, refused before any field ran: its place.
        ("{ noSuchField }", None, "client error in the query at line:column 1:3: "),
        (BID_ELIGIBILITY_ON, {"d": "garbage"}, "client error in the query at line:column 1:8: "),
    ],
)
async def test_a_clients_error_without_a_field_is_logged_with_where_it_is(
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, object] | None,
    where: str,
) -> None:
    """The INFO line had read "client error at None: …" for every error without a path."""
    with caplog.at_level(logging.INFO):
        await build_schema(Limits()).execute(
            query, variable_values=variables, context_value=bare_context()
        )
    (logged,) = [r for r in caplog.records if r.getMessage().startswith("client error")]
    assert logged.getMessage().startswith(where), logged.getMessage()


def test_a_field_s_error_is_logged_at_its_path(caplog: pytest.LogCaptureFixture) -> None:
    refused = GraphQLError("limit must be at least 1, got 0", path=["vendors", 0, "name"])
    with caplog.at_level(logging.INFO):
        build_schema(Limits()).process_errors([refused])
    (logged,) = caplog.records
    assert logged.getMessage() == "client error at vendors.0.name: limit must be at least 1, got 0"
