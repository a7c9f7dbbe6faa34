"""A long-running loop whose pooled connection PostgreSQL ended while it sat idle (a fast stop's
termination notice read before the close, as `up` stopping its embedded PostgreSQL or an
operator's `pg_ctl stop` sends it): asyncpg's next statement on it fails with
`InternalClientError: cannot switch to state 12; another operation (2) is in progress`. The
risk consumer logged that as a fault of ours, with a traceback, and its liveness as failing
(a stall on /healthz after two minutes, where a restart cures nothing): it is PostgreSQL gone,
waited for and said in one line, as its session ended by the server: PostgreSQL stopping ends
it, but so do an idle timeout and pg_terminate_backend where PostgreSQL is up."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from services.platform.operations.liveness import Liveness
from services.platform.operations.logs import configure_logging
from services.platform.operations.retry import until_done
from tests.support.notice_before_close import notice_before_close
from tests.support.postgres_outage import stoppable_postgres

pytestmark = pytest.mark.postgres


async def test_a_session_postgresql_ended_is_waited_for_as_an_outage(
    capsys: pytest.CaptureFixture[str], root_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_logging("info", "json")
    with stoppable_postgres() as server:
        database_url = await server.database()
        with notice_before_close(database_url) as forwarder:
            pool = await asyncpg.create_pool(forwarder.url, min_size=1, max_size=1)
            try:
                await pool.fetchval("SELECT 1")  # its connection idle in the pool since
                forwarder.hold()
                server.stop_fast()
                forwarder.hand_over_stopped()  # the notice read on the idle connection
                await asyncio.sleep(0.2)
                live = Liveness("risk.facts")
                batch = asyncio.create_task(
                    until_done(lambda: pool.fetchval("SELECT 1"), "risk.facts", live)
                )
                for _ in range(100):
                    if live.failing_since is not None:
                        break
                    await asyncio.sleep(0.05)
                batch.cancel()
                await asyncio.gather(batch, return_exceptions=True)
            finally:
                pool.terminate()
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    [line] = [line for line in logged if line["logger"] == "services.platform.operations.retry"]
    assert line["level"] == "WARNING", line
    assert line["message"].startswith(
        "risk.facts had its PostgreSQL session ended by the server; retrying with backoff:"
        " InternalClientError: cannot switch to state"
    ), line
    assert "exc_info" not in line, line  # no traceback: nothing of ours to debug
    assert live.report()["waiting_for"] == "a dependency (PostgreSQL or Kafka)"
    assert live.outage and not live.stalled()
