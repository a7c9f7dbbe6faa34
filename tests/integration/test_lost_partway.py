"""asyncpg's InternalClientError is PostgreSQL lost only when PostgreSQL no longer answers
(`outages.lost_at`): a fast stop's termination notice read on an idle connection breaks
asyncpg's protocol so (tests/e2e/test_cli_lost_postgres.py), but from a PostgreSQL that
answers the same error is a fault, whose traceback a command must show. Every command says
what it lost by one handler (cli/lost_partway.py), in plain words."""

from __future__ import annotations

import asyncpg
import click
import pytest

from services.cli.lost_partway import said_if_lost
from services.platform.consuming.consumer import DomainRejection
from services.platform.errors import Lost
from services.platform.operations.outages import lost_at
from services.platform.postgres.database import redacted

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


async def test_a_database_chosen_and_lost_is_said_plainly() -> None:
    """Which database, lost, what to do: not asyncpg's words for it (`publish`, `verify`,
    `export` said "lost PostgreSQL at … partway: InternalClientError: cannot switch to state
    15; another operation (2) is in progress"). The handler `database_choice.database` wraps
    its block in, given the database it chose (which it must reach first, to ask for its log:
    tests/e2e/test_cli_lost_postgres.py loses it under the commands themselves)."""
    with pytest.raises(Lost) as said:
        async with said_if_lost(UNREACHABLE_DB):
            raise asyncpg.InternalClientError(BROKEN)
    assert str(said.value) == (
        f"lost PostgreSQL at {redacted(UNREACHABLE_DB)} partway: run the command again once"
        " PostgreSQL is back"
    )


async def test_every_command_s_lost_dependency_is_told_by_one_handler(database_url: str) -> None:
    """`running.run`'s, knowing no address, and the commands' that know their database (an
    import, a rebuild, `database_choice`): the same test of what was lost, the same line
    unless the command says how far it got."""
    with pytest.raises(Lost) as said:
        async with said_if_lost():  # running.run's
            raise ConnectionRefusedError(111, "Connection refused")
    assert (
        str(said.value) == "lost PostgreSQL partway: run the command again once PostgreSQL is back"
    )
    told: list[tuple[str, str]] = []

    def how_far(what: str, where: str) -> str:
        told.append((what, where))
        return f"lost {what} at {where} partway through the work: half of it done"

    with pytest.raises(Lost) as said:
        async with said_if_lost(UNREACHABLE_DB, told=how_far):  # PostgreSQL stopped fast
            raise asyncpg.InternalClientError(BROKEN)
    assert told == [("PostgreSQL", redacted(UNREACHABLE_DB))]
    assert str(said.value).endswith("partway through the work: half of it done")
    # From a PostgreSQL that answers, the same error is a fault: its traceback is seen.
    with pytest.raises(asyncpg.InternalClientError):
        async with said_if_lost(database_url):
            raise asyncpg.InternalClientError(BROKEN)
    # A line the command chose stays its own, outage or not (verify's "no verdict", exit 3).
    with pytest.raises(click.ClickException, match="could not be verified"):
        async with said_if_lost(UNREACHABLE_DB):
            raise click.ClickException("the event log could not be verified") from (
                ConnectionRefusedError(111, "Connection refused")
            )


async def test_a_task_group_s_errors_each_postgresql_lost_are_said_as_lost() -> None:
    """`rebuild all` with PostgreSQL's postmaster killed 2-3 s in: its reader's, judge's and
    followers' tasks each met the ended session, one after handling a refusal ("vendor ...
    is already registered"), and the TaskGroup's ExceptionGroup printed 140-218 lines
    ending in that refusal instead of the rebuild's one line."""
    handled = DomainRejection("vendor vendor-b is already registered")
    ended = asyncpg.InternalClientError(BROKEN)
    ended.__context__ = handled
    group = ExceptionGroup("unhandled errors in a TaskGroup", [ended, ConnectionResetError()])
    with pytest.raises(Lost) as said:
        async with said_if_lost(UNREACHABLE_DB):
            raise group
    assert str(said.value).startswith(f"lost PostgreSQL at {redacted(UNREACHABLE_DB)} partway")


async def test_a_task_group_with_a_fault_in_it_keeps_its_traceback(database_url: str) -> None:
    """A group is lost only when each of its errors is: PostgreSQL answering, the same ended
    session is a fault; and a refusal escaping beside an outage is a fault to be seen."""
    with pytest.raises(ExceptionGroup):
        async with said_if_lost(database_url):
            raise ExceptionGroup("in a TaskGroup", [asyncpg.InternalClientError(BROKEN)])
    with pytest.raises(ExceptionGroup):
        async with said_if_lost(UNREACHABLE_DB):
            raise ExceptionGroup("in a TaskGroup", [ConnectionResetError(), KeyError("a bug")])


async def test_postgresql_out_of_room_is_said_in_one_line(database_url: str) -> None:
    """`publish` into a PostgreSQL whose disk filled printed a 54-line traceback ending in
    DiskFullError, with no `Error:` line. PostgreSQL refusing for want of resources (class
    53; here a real one, its temporary files' limit) is said in one line with what to do;
    the same for its disk full."""
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(Lost) as said:
            async with said_if_lost(database_url):
                await conn.execute("SET temp_file_limit = '64kB'")
                await conn.execute(
                    "SELECT g FROM generate_series(1, 200000) g ORDER BY md5(g::text)"
                )
    finally:
        await conn.close()
    assert str(said.value).startswith(
        f"PostgreSQL at {redacted(database_url)} refused to go on for want of resources"
        " partway (ConfigurationLimitExceededError: temporary file size exceeds"
    ), said.value
    assert str(said.value).endswith("run the command again once it has room")
    full = asyncpg.exceptions.DiskFullError(
        'could not extend file "base/16384/16400": No space left on device'
    )
    with pytest.raises(Lost, match=r"^PostgreSQL refused to go on .* \(DiskFullError: could"):
        async with said_if_lost():
            raise full
