"""A LISTEN kept across the loss of its connection (PostgreSQL restarted, a failover): taken
up again on a new connection, its loops woken, however long PostgreSQL refuses it at first;
and the block it serves ends as the block ends, not with an old error of the keeper's."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from services.platform.consuming import notices
from services.platform.consuming.notices import kept_listening
from services.platform.postgres.database import open_pool
from tests.support.processes import eventually

CHANNEL = "kept_listening_test"


async def _terminate_the_role_s_sessions(pool: asyncpg.Pool, role: str) -> None:
    """Ends every session of `role`: the listener's, and any idle one its pool holds (which
    the keeper would otherwise take to listen again, refused by nothing)."""
    listening = await pool.fetch(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND query = $2",
        role,
        f'LISTEN "{CHANNEL}"',
    )
    assert listening, "no session listens"
    await pool.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role
    )


@contextlib.asynccontextmanager
async def _role_of_its_own(pool: asyncpg.Pool, database_url: str) -> AsyncIterator[str]:
    """The URL of a role of its own (whose connections a limit can refuse, as a full server
    refuses every service reconnecting at once), dropped after."""
    role = f"listener_{uuid.uuid4().hex[:12]}"
    database = await pool.fetchval("SELECT current_database()")
    await pool.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'listener'")
    try:
        await pool.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
        parts = urlsplit(database_url)
        port = f":{parts.port}" if parts.port else ""
        yield urlunsplit(parts._replace(netloc=f"{role}:listener@{parts.hostname or ''}{port}"))
    finally:
        await pool.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role
        )
        await pool.execute(f'REVOKE ALL ON DATABASE "{database}" FROM {role}')
        await pool.execute(f"DROP ROLE {role}")


async def test_a_listener_refused_at_first_listens_again_once_taken(
    pool: asyncpg.Pool,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(notices, "RELISTEN_SECONDS", 0.05)
    # The keeper's warnings captured whatever level an earlier test left the root logger at
    # (the suite's workers run many tests a process; this one failed so in CI only).
    caplog.set_level(logging.WARNING, logger=notices.__name__)
    heard: list[object] = []
    woken = asyncio.Event()
    async with _role_of_its_own(pool, database_url) as url:
        role = urlsplit(url).username
        listeners = await open_pool(url, migrate=False)
        try:
            async with kept_listening(listeners, CHANNEL, lambda *n: heard.append(n[3]), woken.set):
                # PostgreSQL back, but full for a while: the role may open no connection more,
                # and each try to listen again is refused (53300, too many connections).
                await pool.execute(f"ALTER ROLE {role} CONNECTION LIMIT 0")
                assert role is not None
                await _terminate_the_role_s_sessions(pool, role)

                async def refused() -> bool:
                    return "too many connections for role" in caplog.text

                await eventually(refused, "listening again to be refused")
                await asyncio.sleep(10 * notices.RELISTEN_SECONDS)  # and refused again meanwhile
                assert not woken.is_set()
                await pool.execute(f"ALTER ROLE {role} CONNECTION LIMIT -1")
                await asyncio.wait_for(woken.wait(), timeout=10)  # its loops told to look again
                await pool.execute(f"NOTIFY {CHANNEL}, 'after'")
                for _ in range(100):
                    if heard:
                        break
                    await asyncio.sleep(0.05)
                assert heard == ["after"]
        finally:
            await listeners.close()
