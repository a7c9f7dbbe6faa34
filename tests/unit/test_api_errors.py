"""Errors: the client's own mistakes keep their reason; internal ones become an id, logged."""

from __future__ import annotations

import logging

import pytest

from services.gateway.protection import Limits
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
