"""Which database a command works on, decided the same way by every command that is not
`up` itself (`publish`, `rebuild`, `verify`, `migration export`, `token create`).

1. `--database-url` (or DATABASE_URL): that one.
2. `--data-dir` (or VENDORWATCH_DATA_DIR): the `up` serving that directory; if none does,
   its embedded PostgreSQL, started for the command and stopped after, if it holds one.
3. Neither: the one `vendorwatch up` running (instances.py). With several, or none, the
   command refuses and says how to choose, rather than guess or create a second database.

Whichever it is, it must hold VendorWatch's event log: a database given by mistake (the
server's `postgres`, another application's, a `createdb` with a typo) is refused, naming it,
rather than given every VendorWatch table and called rebuilt, exported or published to.
Only the processes that serve a database create its schema (`up`, `api`, the workers).

Both options on the command line is a usage error (exit 2): one of them would be ignored in
silence. An option given wins over the other's environment variable: `--data-dir DIR` with
DATABASE_URL set works on DIR's database (`url_chosen` tells them apart by where click took
each value from). `up` follows this rule too (`url_chosen`), though it chooses otherwise
when given neither: its own embedded PostgreSQL.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from services.cli import instances
from services.cli.lost_partway import said_if_lost
from services.platform.errors import StartupError
from services.platform.postgres import database as postgres
from services.platform.settings import configured_data_dir

NONE_RUNNING = (
    "no running `vendorwatch up` found; start one, or choose the database with "
    "--data-dir DIR or --database-url URL"
)


BOTH_GIVEN = "--database-url and --data-dir each choose the database: give one of them, not both"


def database_options(command: Callable[..., None]) -> Callable[..., None]:
    """--database-url, or the embedded PostgreSQL's --data-dir; by default the running `up`'s.
    Both given is a usage error; --data-dir given wins over DATABASE_URL (module docstring)."""

    @functools.wraps(command)
    def with_one_database(*args: Any, **kwargs: Any) -> None:
        kwargs["database_url"] = url_chosen(kwargs["database_url"], kwargs["data_dir"])
        command(*args, **kwargs)

    chosen = click.option(
        "--data-dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="The embedded PostgreSQL in this directory (not with --database-url; given, it"
        " wins over $DATABASE_URL). "
        "Default: $VENDORWATCH_DATA_DIR, else the database of the running `vendorwatch up`.",
    )(with_one_database)
    return click.option(
        "--database-url", envvar="DATABASE_URL", show_envvar=True, help="Use this PostgreSQL."
    )(chosen)


def url_chosen(database_url: str | None, data_dir: Path | None) -> str | None:
    """The URL to use (`database()`'s, or `up`'s), given where click took each option's value
    from: none when --data-dir was given and the URL came from DATABASE_URL alone; both
    given on the command line is a usage error."""
    if not database_url or data_dir is None:
        return database_url
    ctx = click.get_current_context()
    if ctx.get_parameter_source("data_dir") is not ParameterSource.COMMANDLINE:
        return database_url
    if ctx.get_parameter_source("database_url") is ParameterSource.COMMANDLINE:
        raise click.UsageError(BOTH_GIVEN, ctx)
    return None


def the_running_up() -> instances.Instance:
    """The one `vendorwatch up` running, or a StartupError saying how to choose."""
    found = instances.running()
    if not found:
        raise StartupError(NONE_RUNNING)
    if len(found) > 1:
        listed = "; ".join(instance.describe() for instance in found)
        raise StartupError(
            f"{len(found)} `vendorwatch up` are running ({listed}); "
            "choose one with --data-dir or --database-url"
        )
    return found[0]


@contextlib.asynccontextmanager
async def database(database_url: str | None, data_dir: Path | None) -> AsyncIterator[str]:
    """The chosen database's URL for the block (see the module's docstring for the rules).
    PostgreSQL lost in the block is said in one line naming it (`lost_partway`, knowing the
    database: a PostgreSQL stopped fast is told from a fault by it), unless the command said
    already how far it got (errors.Lost). One holding no event log is refused."""
    async with _chosen(database_url, data_dir) as url, said_if_lost(url):
        if not await _holds_a_log(url):
            raise StartupError(
                f"no VendorWatch database at {postgres.redacted(url)}: it holds no event log"
                " (create one with `vendorwatch up --database-url URL`, or a worker or `api`"
                " started on it)"
            )
        yield url


async def _holds_a_log(url: str) -> bool:
    """Whether the database at `url` has VendorWatch's event log, asked without creating
    anything in it (a pool not migrating: a PostgreSQL out of reach said as every command's
    first pool says it, "cannot reach PostgreSQL at …")."""
    pool = await postgres.open_pool(url, migrate=False)
    try:
        found: bool = await pool.fetchval("SELECT to_regclass('event_store') IS NOT NULL")
        return found
    finally:
        await pool.close()


@contextlib.asynccontextmanager
async def _chosen(database_url: str | None, data_dir: Path | None) -> AsyncIterator[str]:
    if database_url:
        yield database_url
        return
    chosen = data_dir or configured_data_dir()
    if chosen is None:
        yield the_running_up().database_url
        return
    chosen = chosen.expanduser().resolve()
    served = [i for i in instances.running() if i.embedded and i.home == chosen]
    if served:
        yield served[0].database_url
        return
    if not (chosen / "PG_VERSION").is_file():
        # A mistyped directory must not become a new, empty database.
        raise StartupError(
            f"no VendorWatch database in {chosen}; "
            f"create it with `vendorwatch up --data-dir {chosen}`"
        )
    # Imported here: only a command given a data directory starts PostgreSQL itself.
    from services.platform.postgres import embedded_postgres

    async with embedded_postgres.running(chosen) as url:
        yield url


def token_home(data_dir: Path | None) -> Path:
    """The data directory whose local token secret signs a new token: the one given, else
    the running `up`'s (tokens of another secret would be refused by it)."""
    chosen = data_dir or configured_data_dir()
    return chosen if chosen is not None else the_running_up().home
