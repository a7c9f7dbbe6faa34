"""The liveness signal: a loop failing for longer than the stall limit turns health 503,
unless what fails is a dependency out of reach (restarting would not bring it back)."""

from __future__ import annotations

import time

import asyncpg

from services.platform.operations.liveness import Liveness, health_report
from services.platform.settings import stalls

STALL_SECONDS = stalls().stall_seconds


def test_a_consumer_failing_past_the_limit_is_stalled_until_it_succeeds() -> None:
    live = Liveness("registry")
    assert health_report([live]) == (
        200,
        {
            "status": "ok",
            "consumers": [{"consumer": "registry", "stalled": False, "failing_for_seconds": 0.0}],
        },
    )
    live.failed(KeyError("a bug"))
    assert not live.stalled()  # a brief failure is ridden out
    assert health_report([live])[1]["status"] == "degraded"
    live.failing_since = time.monotonic() - STALL_SECONDS - 1
    live.failed(KeyError("a bug"))  # further failures keep the first failure's time
    status, body = health_report([live, Liveness("ingest")])
    assert status == 503 and body["status"] == "stalled"
    assert [c["stalled"] for c in body["consumers"]] == [True, False]
    assert body["consumers"][0]["last_error"] == "KeyError: 'a bug'"
    live.succeeded()
    assert health_report([live])[0] == 200


def test_a_loop_waiting_for_postgresql_is_reported_but_never_stalled() -> None:
    relay = Liveness("relays", "job")
    relay.failed(ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"))
    relay.failing_since = time.monotonic() - STALL_SECONDS - 60
    status, body = health_report([Liveness("risk"), relay])
    assert status == 200 and body["status"] == "degraded"
    assert body["jobs"] == [
        {
            "job": "relays",
            "stalled": False,
            "failing_for_seconds": round(STALL_SECONDS + 60, 1),
            "waiting_for": "a dependency (PostgreSQL or Kafka)",
            "last_error": "ConnectionRefusedError: [Errno 111] Connect call failed"
            " ('127.0.0.1', 5432)",
        }
    ]
    # PostgreSQL shutting down under a connection is an outage too; a constraint is not.
    relay.failed(asyncpg.exceptions.AdminShutdownError("terminating connection"))
    assert relay.outage
    relay.failed(asyncpg.exceptions.UniqueViolationError("duplicate key"))
    assert not relay.outage and relay.stalled()


async def test_waiting_for_a_rebuild_is_in_progress_but_never_stuck() -> None:
    """A consumer's batch waits for its lock while a rebuild holds it (minutes, for a large
    store): a restart would wait again, so it is reported, not stalled; once the lock is
    had, the batch's clock starts then, not at its wait's start."""
    live = Liveness("registry")
    with live.working("applying a batch"):
        live.now_doing("waiting for the registry consumer's lock (a rebuild)", excused=True)
        live.busy_since = time.monotonic() - STALL_SECONDS - 60
        assert not live.stalled()
        report = live.report()
        assert report["stuck"] is False and report["doing"].startswith("waiting for"), report
        assert health_report([live])[0] == 200
        live.now_doing("applying a batch of 3 events")
        assert not live.stalled() and live.busy_for() < 1
        live.busy_since = time.monotonic() - STALL_SECONDS - 1
        assert live.stalled() and health_report([live])[0] == 503
    assert not live.stalled() and "stuck" not in live.report()
