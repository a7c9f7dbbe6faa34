"""SIGTERM stops a command as Ctrl-C does, letting its work unwind: a `vendorwatch up` stopped
so took 11-15 s one stop in five, its pool waiting at its close for connections whose return
the stop had cancelled (an operator's stop loop). The handler raised KeyboardInterrupt in the
middle of a turn of the loop, and the runner then cancelled every task at once, asyncpg's
shielded returns of connections to the pool among them.

The command here is `running.run`'s, as `up` and `api` run theirs, in a process of its own
that signals itself while its loops take and give back connections of a real PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.postgres

# Loops busy with the pool; the signal comes as one of them has just handed a connection back
# (asyncpg's task returning it to the pool created, not run yet), as in a stop of `up` where
# uvicorn raises the signal again in its own task while the consumers' loops go on. `SIGNALS`
# is how many SIGTERMs the first loop sends.
BUSY = """
import asyncio, os, signal, sys
from starlette.applications import Starlette
from services.cli.running import run
from services.cli.serving import serve
from services.platform.operations.liveness import Liveness
from services.platform.postgres.database import close_pool, open_pool

def busy_with(pool, signals):
    async def busy():
        rounds = 0
        while True:
            async with pool.acquire() as conn:
                await conn.execute("SELECT 1")
            rounds += 1
            if rounds == 50:
                for _ in range(signals):
                    os.kill(os.getpid(), signal.SIGTERM)
    return busy
"""
COMMAND = BUSY + textwrap.dedent(
    """
    async def main() -> None:
        pool = await open_pool(sys.argv[1], migrate=False)
        loops = [asyncio.create_task(busy_with(pool, int(n == 0))()) for n in range(4)]
        try:
            await asyncio.sleep(60)
        finally:
            for loop in loops:
                loop.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            await close_pool(pool, within=5)
            print("pool closed", file=sys.stderr)

    run(main(), serving=True)
    """
)
STOPS = 3

# The same, serving with uvicorn, stopped by two SIGTERMs (an operator's second `kill`, which
# forces the stop): uvicorn raised both again once it had shut down, and the second reached
# the runner as a second interrupt, KeyboardInterrupt in the middle of a turn of the loop.
TWICE = BUSY + textwrap.dedent(
    """
    async def main() -> None:
        pool = await open_pool(sys.argv[1], migrate=False)
        loops = {
            f"busy {n}": (busy_with(pool, 2 * (n == 0)), Liveness(f"busy {n}")) for n in range(4)
        }
        try:
            await serve(Starlette(), "127.0.0.1", 0, loops)
        finally:
            await close_pool(pool, within=5)
            print("pool closed", file=sys.stderr)

    run(main(), serving=True)
    """
)


@pytest.mark.parametrize("command", [COMMAND, TWICE], ids=["sigterm", "sigterm twice, uvicorn"])
def test_sigterm_lets_a_serving_command_give_its_connections_back(
    database_url: str, command: str
) -> None:
    for _ in range(STOPS):
        stopped = subprocess.run(
            [sys.executable, "-c", command, database_url],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert stopped.returncode == 0, stopped.stderr
        assert "pool closed" in stopped.stderr, stopped.stderr
        assert "closed under them" not in stopped.stderr, stopped.stderr
