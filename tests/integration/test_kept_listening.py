"""A LISTEN kept across the loss of its connection (PostgreSQL restarted, a failover): taken
up again on a new connection, its loops woken, however long PostgreSQL refuses it at first;
and the block it serves ends as the block ends, not with an old error of the keeper's."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from services.platform.consuming import notices
from services.platform.consuming.notices import kept_listening

CHANNEL = "kept_listening_test"


async def _terminate_the_listener(pool: asyncpg.Pool) -> None:
    pid = await pool.fetchval(
        "SELECT pid FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()",
        f'LISTEN "{CHANNEL}"',
    )
    assert pid is not None, "no session listens"
    await pool.execute("SELECT pg_terminate_backend($1)", pid)


async def test_a_listener_refused_at_first_listens_again_once_taken(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "RELISTEN_SECONDS", 0.05)
    heard: list[object] = []
    woken = asyncio.Event()
    listen = notices._KeptListener.listen
    refusals = 3

    async def full_at_first(self: notices._KeptListener) -> asyncio.Event:
        # PostgreSQL back, but full for a while: every service reconnecting at once (53300).
        nonlocal refusals
        if refusals and self._conn is None and woken_once:
            refusals -= 1
            raise asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already")
        return await listen(self)

    woken_once = False
    monkeypatch.setattr(notices._KeptListener, "listen", full_at_first)
    async with kept_listening(pool, CHANNEL, lambda *n: heard.append(n[3]), woken.set):
        woken_once = True
        await _terminate_the_listener(pool)
        await asyncio.wait_for(woken.wait(), timeout=10)  # its loops told to look again
        assert refusals == 0
        await pool.execute(f"NOTIFY {CHANNEL}, 'after'")
        for _ in range(100):
            if heard:
                break
            await asyncio.sleep(0.05)
        assert heard == ["after"]
