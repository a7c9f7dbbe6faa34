"""A dependency lost partway through a one-off command's work, said in one line (errors.Lost),
as is PostgreSQL refusing to go on for want of room (its disk full: `out_of_room`):
which one, where when the command knows it, and what to do; how far the command got when it
knows that too. One handler for every command, so that each tells a lost PostgreSQL the same
way (`outages.lost_at`: by an outage's type, or a PostgreSQL stopped fast at the database the
command works on): `running.run` around any command's work, knowing no address;
`database_choice.database` around the work on the database it chose; an import and a rebuild
with how far they got."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

import asyncpg
import click

from services.platform.errors import Lost
from services.platform.operations import outages
from services.platform.postgres.database import redacted

# What was lost ("PostgreSQL", "Kafka") and where ("" when unknown) -> the line to say.
Told = Callable[[str, str], str]


def plainly(what: str, where: str) -> str:
    """The line of a command that knows no more than what it lost, and where."""
    at = f" at {where}" if where else ""
    return f"lost {what}{at} partway: run the command again once {what} is back"


@contextlib.asynccontextmanager
async def said_if_lost(
    database_url: str = "", kafka: str = "", told: Told = plainly
) -> AsyncIterator[None]:
    """A dependency lost in the block raised as errors.Lost, in the line `told` gives (where:
    `kafka`, or `database_url` without its password); anything else as it was: a fault, whose
    traceback is to be seen, or a line the command said already (click's, errors.Lost)."""
    try:
        yield
    except click.ClickException:
        raise  # said by the command already (verify's "no verdict", exit 3)
    except Exception as error:
        if (full := outages.out_of_room(error)) is not None:
            raise Lost(out_of_room(full, database_url)) from error
        if (what := await outages.lost_at(error, database_url)) is None:
            raise
        where = kafka if what == "Kafka" else redacted(database_url) if database_url else ""
        raise Lost(told(what, where)) from error


def out_of_room(refusal: asyncpg.InsufficientResourcesError, database_url: str = "") -> str:
    """The line of a command PostgreSQL stopped for want of room (its disk full, `publish`'s
    54-line traceback ending in DiskFullError before): what it said, and what to do, as for
    PostgreSQL lost (`plainly`): its cure is an operator's, not a fault of the command's."""
    at = f" at {redacted(database_url)}" if database_url else ""
    return (
        f"PostgreSQL{at} refused to go on for want of resources partway"
        f" ({type(refusal).__name__}: {refusal}): run the command again once it has room"
    )
