"""The floor under any API on this project's fixed parts: uvicorn (uvloop, httptools) and an
asyncpg pool, answering a JSON POST with the rows of the SQL statements a check sends, as
JSON, and nothing else: no GraphQL, no authentication, no middleware, no domain code.

The eligibility benchmark runs it as its own process next to `vendorwatch up`, asked by the
same client, so that its table shows how much of the API's time is the fixed parts' and how
much is the project's own (`python -m tests.support.http_floor DATABASE_URL STATEMENTS PORT`,
STATEMENTS a pickle of the captured statements with their arguments).
"""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import uvicorn
import uvloop

from services.cli.serving import KEEP_ALIVE_SECONDS
from services.platform.postgres.database import KEYED_LOOKUP_SETTINGS

Statements = list[tuple[str, tuple[Any, ...]]]
Scope = dict[str, Any]
Receive = Any
Send = Any
HEADERS = [(b"content-type", b"application/json")]


class Floor:
    """The ASGI app: every POST body is read and parsed, the statements are sent on a pooled
    connection, and their rows are encoded as the answer."""

    def __init__(self, database_url: str, statements: Statements) -> None:
        self.database_url, self.statements = database_url, statements
        self.pool: asyncpg.Pool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        orjson.loads(body or b"{}")  # parsed, as an API must
        if self.pool is None:
            self.pool = await bare_pool(self.database_url, 10)
        rows: list[dict[str, Any]] = []
        async with self.pool.acquire() as conn:
            for sql, args in self.statements:
                rows += [dict(row) for row in await conn.fetch(sql, *args)]
        answer = orjson.dumps({"data": {"rows": rows}}, default=str)
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": answer})


async def _no_reset(_: asyncpg.Connection) -> None:
    """Nothing to undo: a connection released holds no session state (asyncpg's default
    reset is a round trip per release, which the API's pool sends only after a session
    setting: services/platform/postgres/session_state.py)."""


async def bare_pool(database_url: str, size: int) -> asyncpg.Pool:
    """A pool of `size` connections set up as the API's for its single checks (PostgreSQL's
    own plan caching), whose release costs no statement."""
    return await asyncpg.create_pool(
        database_url,
        min_size=size,
        max_size=size,
        server_settings=KEYED_LOOKUP_SETTINGS,
        reset=_no_reset,
    )


def start(
    database_url: str, statements: Statements, port: int, folder: Path
) -> subprocess.Popen[bytes]:
    """Starts the server in its own process, its output in `folder`."""
    path = folder / "statements.pickle"
    path.write_bytes(pickle.dumps(statements))
    with (folder / "floor.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", __name__, database_url, str(path), str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def main(database_url: str, statements_path: str, port: str) -> None:
    statements: Statements = pickle.loads(Path(statements_path).read_bytes())
    config = uvicorn.Config(
        Floor(database_url, statements),
        host="127.0.0.1",
        port=int(port),
        lifespan="off",
        http="httptools",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(uvicorn.Server(config).serve())


if __name__ == "__main__":
    main(*sys.argv[1:])
