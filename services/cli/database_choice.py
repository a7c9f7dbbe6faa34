"""Which database a command works on, decided the same way by every command that is not
`up` itself (`publish`, `rebuild`, `verify`, `migration export`, `token create`).

1. `--database-url` (or DATABASE_URL): that one.
2. `--data-dir` (or VENDORWATCH_DATA_DIR): the `up` serving that directory; if none does,
   its embedded PostgreSQL, started for the command and stopped after, if it holds one.
3. Neither: the one `vendorwatch up` running (instances.py). With several, or none, the
   command refuses and says how to choose, rather than guess or create a second database.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import click

from services.cli import instances
from services.platform.errors import StartupError
from services.platform.settings import configured_data_dir

NONE_RUNNING = (
    "no running `vendorwatch up` found; start one, or choose the database with "
    "--data-dir DIR or --database-url URL"
)


def database_options(command: Callable[..., None]) -> Callable[..., None]:
    """--database-url, or the embedded PostgreSQL's --data-dir; by default the running `up`'s."""
    command = click.option(
        "--data-dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="The embedded PostgreSQL in this directory. "
        "Default: $VENDORWATCH_DATA_DIR, else the database of the running `vendorwatch up`.",
    )(command)
    return click.option("--database-url", envvar="DATABASE_URL", help="Use this PostgreSQL.")(
        command
    )


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
    """The chosen database's URL for the block (see the module's docstring for the rules)."""
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
