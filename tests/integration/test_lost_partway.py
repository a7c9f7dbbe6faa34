"""asyncpg's InternalClientError is PostgreSQL lost only when PostgreSQL no longer answers
(`outages.lost_at`): a fast stop's termination notice read on an idle connection breaks
asyncpg's protocol so (tests/e2e/test_cli_lost_postgres.py), but from a PostgreSQL that
answers the same error is a fault, whose traceback a command must show."""

from __future__ import annotations

import asyncpg
import pytest

from services.platform.errors import Lost
from services.platform.operations.outages import lost_at

pytestmark = pytest.mark.postgres

BROKEN = "cannot switch to state 15; another operation (2) is in progress"
UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/nothing"


async def test_asyncpg_s_internal_error_is_a_fault_while_postgresql_answers(
    database_url: str,
) -> None:
    assert await lost_at(asyncpg.InternalClientError(BROKEN), database_url) is None


async def test_asyncpg_s_internal_error_is_postgresql_lost_once_it_does_not_answer() -> None:
    error = asyncpg.InternalClientError(BROKEN)
    assert await lost_at(error, UNREACHABLE_DB) == "PostgreSQL"
    # Said already by the command, with how far it got: not said again over it.
    told = Lost("lost PostgreSQL partway through the import")
    told.__cause__ = error
    assert await lost_at(told, UNREACHABLE_DB) is None
