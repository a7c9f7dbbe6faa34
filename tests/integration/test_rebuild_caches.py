"""A rebuild committed by `vendorwatch rebuild` (a process of its own) while the API serves:
the API's answers agree with the rebuilt projections at once, not with the timelines and risk
factors it cached from the projections the rebuild replaced; and a process that lost its
listening connection forgets those caches once it listens again (a rebuild may have
committed unheard meanwhile)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.consuming import notices
from services.platform.consuming.rebuilt_notices import REBUILT_CHANNEL, forget_when_rebuilt
from services.platform.rebuilt_caches import forget_rebuilt, forgotten_after_rebuilds
from tests.support import case_b
from tests.support.in_process_api import SCHEMA, shared_context
from tests.support.live_consumers import applied_live
from tests.support.migration_checks import operation
from tests.support.principals import ADMIN
from tests.support.processes import run_cli
from tests.support.tampering import EDITED_SUSPENSION, as_owner

pytestmark = pytest.mark.postgres

# Suspended from 2022-07-09 for 18 months; edited to 9, it ended on 2023-04-08.
AS_OF = "2023-06-01"
SANCTIONS = """query($vendorId: ID!) {
  vendor(vendorId: $vendorId) { sanctions { edges { node { sanctionId endsOn } } } }
}"""
# How long a notice may take to be heard: answers still stale after it are the defect.
HEARD_WITHIN_SECONDS = 5.0


async def _listener(pool: asyncpg.Pool) -> int | None:
    """The session listening for rebuilds on this database, if any."""
    pid: int | None = await pool.fetchval(
        """SELECT pid FROM pg_stat_activity WHERE query = $1
           AND datname = current_database() AND pid <> pg_backend_pid()""",
        f'LISTEN "{REBUILT_CHANNEL}"',
    )
    return pid


async def _until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + HEARD_WITHIN_SECONDS
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def listening(pool: asyncpg.Pool) -> AsyncIterator[None]:
    """What every long-running process runs: its rebuilt caches forgotten on each commit."""
    task = asyncio.create_task(forget_when_rebuilt(pool, "a test process", {}))

    async def listens() -> bool:
        return await _listener(pool) is not None

    await _until(listens, "nobody listens")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


class Api:
    """One serving API: its context, and with it its risk service, kept across requests (a
    test's `execute` makes both anew for each)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._context = dataclasses.replace(shared_context(pool), principal=ADMIN)

    async def ask(self, query: str, **variables: Any) -> dict[str, Any]:
        context = dataclasses.replace(self._context, loaders={})
        result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
        assert result.errors is None and result.data is not None, result.errors
        return result.data

    async def answers(self) -> dict[str, Any]:
        """Every answer that reads a sanction's timeline or the vendor's risk factors."""
        vendor = case_b.VENDOR
        return {
            "eligibility": await self.ask(
                operation("bid-eligibility"), vendorId=vendor, asOf=AS_OF
            ),
            "many": await self.ask(
                operation("bid-eligibility-many"), vendorIds=[vendor], asOf=AS_OF
            ),
            "screened": await self.ask(
                operation("screen-bidder-list"),
                bidders=[{"ref": "1", "vendorId": vendor}],
                asOf=AS_OF,
            ),
            "score": await self.ask(operation("risk-score"), vendorId=vendor, asOf=AS_OF),
        }


async def _edit_the_suspension(pool: asyncpg.Pool) -> None:
    """Its duration changed in the stored log, past the append-only trigger, as its owner can."""
    await as_owner(pool, EDITED_SUSPENSION)


async def test_answers_agree_with_a_rebuild_as_soon_as_it_commits(
    pool: asyncpg.Pool, database_url: str
) -> None:
    events = [case_b.registered(), case_b.suspended()]
    await ingest_batch(pool, [case_b.line(e) for e in events])
    await applied_live(pool, database_url)
    api = Api(pool)
    async with listening(pool):
        before = await api.answers()  # the caches filled
        assert before["eligibility"]["bidEligibility"]["eligible"] is False
        assert before["eligibility"]["bidEligibility"]["eligibleAgainOn"] == case_b.ELIGIBLE_AGAIN
        points = {f["name"]: f["contribution"] for f in _factors(before)}
        assert points.get("active_sanctions", 0) > 0, points

        await _edit_the_suspension(pool)
        # A process of its own, as `vendorwatch rebuild` is: this one holds the events as
        # ingest parsed them, before the edit.
        forced = await asyncio.to_thread(
            run_cli, "rebuild", "--force", "--database-url", database_url
        )
        assert forced.returncode == 0, forced.stderr
        sanctions = await api.ask(SANCTIONS, vendorId=case_b.VENDOR)
        assert sanctions["vendor"]["sanctions"]["edges"] == [
            {"node": {"sanctionId": "city-2022-001", "endsOn": "2023-04-08"}}
        ]

        after = await _once_changed(api, before)
    assert after["eligibility"]["bidEligibility"] == {
        "vendorId": case_b.VENDOR,
        "asOf": AS_OF,
        "eligible": True,
        "eligibleAgainOn": None,
        "reasons": [],
    }
    assert after["many"]["bidEligibilityMany"][0]["eligible"] is True
    assert after["screened"]["screenBidders"][0]["status"] == "ELIGIBLE"
    points = {f["name"]: f["contribution"] for f in _factors(after)}
    assert points.get("active_sanctions", 0) == 0, points
    # What a process that never cached anything answers: the same.
    forget_rebuilt()
    assert after == await Api(pool).answers()


def _factors(found: dict[str, Any]) -> list[dict[str, Any]]:
    factors: list[dict[str, Any]] = found["score"]["vendor"]["riskScore"]["factors"]
    return factors


async def _once_changed(api: Api, before: dict[str, Any]) -> dict[str, Any]:
    """The answers once every one of them has changed, or as they stand after the notice
    had time enough to be heard."""
    deadline = asyncio.get_running_loop().time() + HEARD_WITHIN_SECONDS
    while True:
        now = await api.answers()
        changed = all(now[name] != before[name] for name in before)
        if changed or asyncio.get_running_loop().time() > deadline:
            return now
        await asyncio.sleep(0.1)


class _Counted:
    """A cache that only counts how often it is forgotten."""

    def __init__(self) -> None:
        self.cleared = 0

    def clear(self) -> None:
        self.cleared += 1


async def test_a_process_that_lost_its_listener_forgets_once_it_listens_again(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "RELISTEN_SECONDS", 0.05)
    cache = forgotten_after_rebuilds(_Counted())

    async def cleared(times: int) -> bool:
        return cache.cleared == times

    async with listening(pool):
        # Forgotten on starting to listen: a rebuild may have committed before.
        await _until(partial(cleared, 1), "not forgotten on listening")
        pid = await _listener(pool)
        assert pid is not None, "no session listens"
        await pool.execute("SELECT pg_terminate_backend($1)", pid)
        await _until(partial(cleared, 2), "not forgotten on listening again")
