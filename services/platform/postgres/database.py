"""The asyncpg connection pool, opened with a clear error when PostgreSQL cannot be reached
or refuses the connection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from functools import partial
from typing import Any, Protocol

import asyncpg

from services.platform.errors import Misconfigured, Refused, StartupError
from services.platform.operations.outages import is_outage
from services.platform.operations.pool_floor import reached
from services.platform.postgres.migrations import MigrationDrift, NewerDatabase, apply_migrations

# What handlers and repositories take (defined beside the pool's reset, which the migrations
# need too: they cannot import this module).
from services.platform.postgres.session_state import Connection as Connection
from services.platform.postgres.session_state import reset_if_needed
from services.platform.urls import redacted_text, redacted_url

# asyncpg prepares every statement, and after five runs PostgreSQL may switch a prepared
# statement to a generic plan that ignores the values. Ours take arrays of one to thousands
# of ids and read tables that grow while they run: the consumers' read of the log went from
# 30 ms to 0.5-0.9 s per batch on a generic plan. Planning each run costs about 0.1 ms.
SERVER_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
# For a pool whose statements each look rows up by one key (a vendor's eligibility check):
# PostgreSQL's own default, where a statement run often gets one generic plan, as good for
# one vendor as for another, instead of being planned again at every run (the check's
# statement took about as long to plan as to run: 5,700 checks a second under 16 clients
# planned each time, 11,000 on its generic plan).
KEYED_LOOKUP_SETTINGS = {"plan_cache_mode": "auto"}
# Connections of a process's main pool and of its keyed look-ups' (a look-up holds one for a
# single statement: four served 16 clients as fast as ten).
CONNECTIONS = 10
KEYED_LOOKUP_CONNECTIONS = 4

log = logging.getLogger(__name__)

# How a pool is opened, given what opens it: at once (`at_once`), or as a process starting
# waits for PostgreSQL (`StartUp.wait_for`).
Opening = Callable[[Callable[[], Awaitable[asyncpg.Pool]]], Awaitable[asyncpg.Pool]]

# How long a long-running process's stop waits for its pool's connections to be released.
CLOSE_SECONDS = 10.0

# PostgreSQL answering and turning the connection down for what it was given: a wrong
# password or a role that may not log in (28000, 28P01), a database that does not exist
# (3D000), a role without CONNECT on it (42501). No wait cures these: a process starting
# says so and exits (errors.Refused), where it waits for a PostgreSQL out of reach (so does
# any other error of PostgreSQL's at the login that is no outage: `refusal`).
REFUSALS = (
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.InsufficientPrivilegeError,
)

# What asyncpg raises reading a URL it cannot take, before it connects: a scheme that is not
# PostgreSQL's, an `sslmode` or other option it does not know (ClientConfigurationError),
# a port that is not a number (ValueError). ClientConfigurationError is an InterfaceError,
# which outages.is_outage takes for a connection dropped: a process starting waited on a
# mistyped `sslmode` for ever, retrying, and a one-off command showed a traceback.
MALFORMED = (asyncpg.ClientConfigurationError, ValueError)

# The setting a database URL comes from, as the person who gave it knows it.
URL_SETTING = "DATABASE_URL / --database-url"


class ConnectionSource(Protocol):
    """What a batch takes its connection from: a pool, or one connection held in one
    transaction (one_transaction.py: a rebuild's)."""

    def acquire(self) -> AbstractAsyncContextManager[Connection]: ...


# The query parameters of a database URL that say which server and how, and are no secret:
# shown, the socket directory (`host=/run/postgresql`) above all, without which an error
# named no server at all (`postgresql:///vendorwatch`). Any other is dropped: libpq takes
# `password=` and `sslpassword=` there too.
SHOWN_PARAMETERS = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "dbname",
        "database",
        "user",
        "sslmode",
        "target_session_attrs",
        "connect_timeout",
        "application_name",
    }
)
# The query parameters of a database URL that are secrets (libpq's, which asyncpg reads). An
# error's text is shown without their values and the password, and keeps every other value
# of the URL, for it may be what to mend: a mistyped `sslmode` or port, a certificate's path,
# a setting PostgreSQL refuses.
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def redacted(url: str) -> str:
    """The database URL safe to print: its role and which server kept (`SHOWN_PARAMETERS`),
    its password and any other query parameter gone."""
    return redacted_url(url, keep_user=True, kept_parameters=SHOWN_PARAMETERS)


def _said(database_url: str, error: BaseException) -> str:
    """An error's text, without the URL's password or `SECRET_PARAMETERS`, and its type."""
    said = redacted_text(
        str(error), database_url, keep_user=True, secret_parameters=SECRET_PARAMETERS
    )
    return f"{said} ({type(error).__name__})"


def malformed(database_url: str, error: BaseException) -> Misconfigured:
    """What to say of a URL asyncpg could not read (`MALFORMED`): which setting, the URL
    without its password, and why. No wait cures it: a process starting says it and exits."""
    return Misconfigured(
        f"the database URL ({URL_SETTING}) {redacted(database_url)} cannot be used:"
        f" {_said(database_url, error)}"
    )


def refusal(error: BaseException) -> bool:
    """Whether PostgreSQL, answering, turned the connection down for what it was given:
    `REFUSALS`, or any error of its that is no outage (an option of the URL it does not
    know, `bogus_option=1`: "unrecognized configuration parameter")."""
    return isinstance(error, REFUSALS) or (
        isinstance(error, asyncpg.PostgresError) and not is_outage(error)
    )


def refused(database_url: str, error: BaseException) -> Refused:
    """What to say of PostgreSQL turning the connection down (`refusal`)."""
    said = (
        f"PostgreSQL at {redacted(database_url)} refused the connection:"
        f" {_said(database_url, error)}"
    )
    if not isinstance(error, REFUSALS):
        said += f"; check the database URL ({URL_SETTING})"
    return Refused(said)


async def connect(database_url: str, **options: Any) -> asyncpg.Connection:
    """One connection (`asyncpg.connect`), with what `open_pool` says of a URL that cannot
    be used or a login PostgreSQL refuses; an outage is raised as asyncpg raised it."""
    try:
        return await asyncpg.connect(database_url, **options)
    except MALFORMED as error:
        raise malformed(database_url, error) from error
    except asyncpg.PostgresError as error:
        if refusal(error):
            raise refused(database_url, error) from error
        raise


async def open_pool(
    database_url: str, *, migrate: bool = True, keyed_lookups: bool = False
) -> asyncpg.Pool:
    """Opens the pool and, by default, brings the schema up to date before anyone uses it;
    `keyed_lookups`: a pool for statements that each look rows up by one key only, which
    PostgreSQL may plan once for all keys (`KEYED_LOOKUP_SETTINGS`)."""
    try:
        pool = await asyncpg.create_pool(
            database_url,
            min_size=1,
            max_size=KEYED_LOOKUP_CONNECTIONS if keyed_lookups else CONNECTIONS,
            timeout=10,
            server_settings=KEYED_LOOKUP_SETTINGS if keyed_lookups else SERVER_SETTINGS,
            reset=reset_if_needed,
            # Says an outage its floor's restoring said is over (pool_floor.py).
            init=reached,
        )
    except MALFORMED as error:
        raise malformed(database_url, error) from error
    except asyncpg.PostgresError as error:
        if refusal(error):
            raise refused(database_url, error) from error
        raise StartupError(
            f"cannot reach PostgreSQL at {redacted(database_url)}: {error}"
        ) from error
    except (OSError, TimeoutError) as error:
        raise StartupError(
            f"cannot reach PostgreSQL at {redacted(database_url)}: {error}"
        ) from error
    if migrate:
        try:
            await apply_migrations(pool)
        except BaseException as error:
            await pool.close()
            if isinstance(error, MigrationDrift | NewerDatabase):
                raise StartupError(str(error)) from error
            raise
    return pool


async def at_once(opened: Callable[[], Awaitable[asyncpg.Pool]]) -> asyncpg.Pool:
    """An `Opening` that tries once."""
    return await opened()


@contextlib.asynccontextmanager
async def keyed_lookups_pool(
    database_url: str, opening: Opening = at_once
) -> AsyncIterator[asyncpg.Pool]:
    """A pool for keyed look-ups (`open_pool`'s `keyed_lookups`), open while in use; the
    schema is the main pool's to bring up to date. `opening`: how it is opened (a process
    starting waits for PostgreSQL: gone since the main pool opened, it is waited for again)."""
    pool = await opening(partial(open_pool, database_url, migrate=False, keyed_lookups=True))
    try:
        yield pool
    finally:
        await close_pool(pool)


async def close_pool(pool: asyncpg.Pool, within: float = CLOSE_SECONDS) -> None:
    """Closes a long-running process's pool as it stops: once its connections are released,
    or after `within` seconds under them (`Pool.terminate`), saying which tasks were still
    running. `Pool.close` waits for every connection for ever: a `vendorwatch up` stopped
    by SIGTERM after a day's use hung so, its embedded PostgreSQL left running, until a
    second signal."""
    try:
        await asyncio.wait_for(pool.close(), within)
    except TimeoutError:
        pending = sorted(
            task.get_name() for task in asyncio.all_tasks() if task is not asyncio.current_task()
        )
        log.warning(
            "connections still in use %.0f s into the stop: closed under them (tasks still"
            " running: %s)",
            within,
            ", ".join(pending) or "none",
        )
        pool.terminate()
